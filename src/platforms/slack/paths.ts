// The Slack routes the adapter serves on our HTTP server, in a module of their own so that code that only
// needs the paths (the registry, the dashboard) does not load Bolt.
export const SLACK_INSTALL_PATH = '/slack/install';
export const SLACK_OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';
