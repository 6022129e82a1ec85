/**
 * The engine's public surface: what adapters may import. Everything else in src/ is internal.
 */
export * from './domain';
export * from './ports';
export * from './engine';
