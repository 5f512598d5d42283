// Public API of operators/ (re-exports only).
export {};
