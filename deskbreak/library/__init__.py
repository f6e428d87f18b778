"""The move library: Move/Routine records, the bundled data, the loader and the rotation."""
