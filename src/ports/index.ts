export * from './chat-notifier.port';
export * from './clock.port';
export * from './grant-store.port';
export * from './identity-center.port';
export * from './ids.port';
export * from './logger.port';
export * from './conversation-store.port';
