package jobs

import "context"

// WriteSumPreviewContext is WriteSumPreview stopping when ctx ends: the
// render job makes the sum beside the render and drops it when the render
// fails.
func WriteSumPreviewContext(ctx context.Context, path string, stems []string) (float64, error) {
	return writeSumPreview(ctx, path, stems)
}
