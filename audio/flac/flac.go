package flac
