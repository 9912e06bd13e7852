// The public API is filled in as the package grows; see README.md.
export {};
