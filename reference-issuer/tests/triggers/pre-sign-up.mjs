// Pre sign-up (Node, async style): only company emails; auto-confirms and
// verifies the email unless the caller asks for a manual confirmation.
export const handler = async (event) => {
  const email = event.request.userAttributes.email ?? '';
  if (!email.endsWith('@example.com')) {
    throw new Error('Only company emails');
  }
  console.log(`admitting ${email} (${event.triggerSource})`);
  const manual = event.request.clientMetadata?.confirm === 'manual';
  event.response.autoConfirmUser = !manual;
  event.response.autoVerifyEmail = !manual;
  return event;
};
