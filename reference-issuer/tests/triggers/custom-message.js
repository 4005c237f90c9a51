// Custom message (Node, CommonJS, callback style).
exports.handler = (event, context, callback) => {
  const { codeParameter, usernameParameter } = event.request;
  switch (event.triggerSource) {
    case 'CustomMessage_SignUp':
    case 'CustomMessage_ResendCode':
      event.response.emailSubject = 'Welcome to Example';
      event.response.emailMessage = `Welcome ${event.request.userAttributes.email}! Your code is ${codeParameter}`;
      break;
    case 'CustomMessage_AdminCreateUser':
      event.response.emailMessage = `Hi ${usernameParameter}, your temporary password is ${codeParameter}`;
      break;
    case 'CustomMessage_ForgotPassword':
      // No code placeholder: the issuer sends its default message, as AWS does.
      event.response.emailMessage = 'Forgot your password?';
      break;
    default:
      break;
  }
  callback(null, event);
};
