//go:build amd64 && !purego

#include "textflag.h"

// func interpolateAVX(dst, x, c []float64)
//
// dst[i] = c[0]·(x[i] + x[i+2K−1]) + c[1]·(x[i+1] + x[i+2K−2]) + …, added
// in that order in each lane (VMULPD then VADDPD: no fused multiply-add, so
// the lanes round as the Go code does). R10 walks the window's front
// forward, R11 its back backward; sixteen outputs (four accumulators, which
// hides the latency of the additions) per pass, then four.
TEXT ·interpolateAVX(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ c_base+48(FP), DX
	MOVQ c_len+56(FP), R8
	MOVQ R8, R9
	SHLQ $4, R9
	SUBQ $8, R9 // (2K−1)·8: from the window's first sample to its last

loop16:
	CMPQ CX, $16
	JLT  loop4
	MOVQ SI, R10
	LEAQ (SI)(R9*1), R11
	VBROADCASTSD (DX), Y8
	VMOVUPD (R10), Y0
	VADDPD  (R11), Y0, Y0
	VMULPD  Y8, Y0, Y0
	VMOVUPD 32(R10), Y1
	VADDPD  32(R11), Y1, Y1
	VMULPD  Y8, Y1, Y1
	VMOVUPD 64(R10), Y2
	VADDPD  64(R11), Y2, Y2
	VMULPD  Y8, Y2, Y2
	VMOVUPD 96(R10), Y3
	VADDPD  96(R11), Y3, Y3
	VMULPD  Y8, Y3, Y3
	MOVQ    $1, AX

tap16:
	CMPQ AX, R8
	JGE  store16
	ADDQ $8, R10
	SUBQ $8, R11
	VBROADCASTSD (DX)(AX*8), Y8
	VMOVUPD (R10), Y4
	VADDPD  (R11), Y4, Y4
	VMULPD  Y8, Y4, Y4
	VADDPD  Y4, Y0, Y0
	VMOVUPD 32(R10), Y5
	VADDPD  32(R11), Y5, Y5
	VMULPD  Y8, Y5, Y5
	VADDPD  Y5, Y1, Y1
	VMOVUPD 64(R10), Y6
	VADDPD  64(R11), Y6, Y6
	VMULPD  Y8, Y6, Y6
	VADDPD  Y6, Y2, Y2
	VMOVUPD 96(R10), Y7
	VADDPD  96(R11), Y7, Y7
	VMULPD  Y8, Y7, Y7
	VADDPD  Y7, Y3, Y3
	INCQ    AX
	JMP     tap16

store16:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     loop16

loop4:
	CMPQ CX, $4
	JLT  done
	MOVQ SI, R10
	LEAQ (SI)(R9*1), R11
	VBROADCASTSD (DX), Y8
	VMOVUPD (R10), Y0
	VADDPD  (R11), Y0, Y0
	VMULPD  Y8, Y0, Y0
	MOVQ    $1, AX

tap4:
	CMPQ AX, R8
	JGE  store4
	ADDQ $8, R10
	SUBQ $8, R11
	VBROADCASTSD (DX)(AX*8), Y8
	VMOVUPD (R10), Y4
	VADDPD  (R11), Y4, Y4
	VMULPD  Y8, Y4, Y4
	VADDPD  Y4, Y0, Y0
	INCQ    AX
	JMP     tap4

store4:
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     loop4

done:
	VZEROUPPER
	RET
