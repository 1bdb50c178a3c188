package aiff
