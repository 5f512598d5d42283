// Public API of sources/ (re-exports only).
export {};
