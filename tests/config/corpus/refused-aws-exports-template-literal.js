const awsmobile = {
  aws_project_region: 'us-east-1',
  aws_user_pools_id: 'us-east-1_Gh6Jk8Lz0',
  aws_user_pools_web_client_id: '3e5r7t9y1u3i5o7p9a2s4d6f8g',
  oauth: {
    domain: `myapp-${process.env.STAGE}.auth.us-east-1.amazoncognito.com`,
    scope: ['openid'],
    redirectSignIn: 'http://localhost:3000/',
    redirectSignOut: 'http://localhost:3000/',
    responseType: 'code',
  },
};

export default awsmobile;
