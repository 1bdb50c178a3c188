// LANES_ARGS loads the arguments (l0, r0, l1, r1 []float32, lanes
// *[2][5][2]float64) of the stereo lanes kernels: SI l0, CX its length, DI
// r0, R8 l1, R9 r1, AX lanes.
#define LANES_ARGS \
	MOVQ l0_base+0(FP), SI \
	MOVQ l0_len+8(FP), CX \
	MOVQ r0_base+24(FP), DI \
	MOVQ l1_base+48(FP), R8 \
	MOVQ r1_base+72(FP), R9 \
	MOVQ lanes+96(FP), AX
