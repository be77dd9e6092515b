import { Amplify } from 'aws-amplify';

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: 'us-east-1_Ab3Cd5Ef7',
      userPoolClientId: '2w4e6r8t0y2u4i6o8p1a3s5d7f',
    },
  },
});
