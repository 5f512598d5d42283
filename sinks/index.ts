// Public API of sinks/ (re-exports only).
export {};
