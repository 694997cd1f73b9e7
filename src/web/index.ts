/** 挂图作战: the web pages (routes.ts) and the sign-in links the bot and the CLI hand out (session.ts). */
export { webRoutes, type WebDeps } from './routes.ts'
export { issueLoginLink, LOGIN_LINK_VALID_MS, publicBase, revokeSessionsOf } from './session.ts'
/** The decoder of stored 'web' events, for the channel registry's decoders (the shared intake's resume and retry). */
export { webDecoder } from './actions.ts'
