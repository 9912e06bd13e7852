// The `venuekit-recorder` command line; see README.md.
export {};
