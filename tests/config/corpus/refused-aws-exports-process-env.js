// Hand-edited to read the ids from the build's environment.
const awsmobile = {
  aws_project_region: 'us-east-1',
  aws_user_pools_id: process.env.REACT_APP_USER_POOL_ID,
  aws_user_pools_web_client_id: process.env.REACT_APP_CLIENT_ID,
};

export default awsmobile;
