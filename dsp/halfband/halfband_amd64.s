//go:build amd64 && !purego

#include "textflag.h"

// FIRST(off, acc) starts an accumulator with tap 0 for four outputs:
// acc = c[0]·(front + back) at byte offset off.
#define FIRST(off, acc) \
	VMOVUPD off(R10), acc \
	VADDPD  off(R11), acc, acc \
	VMULPD  Y8, acc, acc

// TAP(off, acc, tmp) adds the current tap's term for four outputs.
#define TAP(off, acc, tmp) \
	VMOVUPD off(R10), tmp \
	VADDPD  off(R11), tmp, tmp \
	VMULPD  Y8, tmp, tmp \
	VADDPD  tmp, acc, acc

// func interpolateAVX(dst, x, c []float64)
//
// dst[i] = c[0]·(x[i] + x[i+2K−1]) + c[1]·(x[i+1] + x[i+2K−2]) + …, added
// in that order in each lane (VMULPD then VADDPD: no fused multiply-add, so
// the lanes round as the Go code does). R10 walks the window's front
// forward, R11 its back backward, Y8 holds the tap; sixteen outputs (four
// accumulators, which hides the latency of the additions) per pass.
TEXT ·interpolateAVX(SB), NOSPLIT, $0-72
	MOVQ c_len+56(FP), R8 // K
	MOVQ R8, R9
	SHLQ $4, R9
	SUBQ $8, R9 // (2K−1)·8: from the window's first sample to its last
	MOVQ c_base+48(FP), DX
	MOVQ x_base+24(FP), SI
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX

loop16:
	CMPQ CX, $16
	JLT  done
	MOVQ SI, R10
	LEAQ (SI)(R9*1), R11
	VBROADCASTSD (DX), Y8
	FIRST(0, Y0)
	FIRST(32, Y1)
	FIRST(64, Y2)
	FIRST(96, Y3)
	MOVQ $1, AX

tap16:
	CMPQ AX, R8
	JGE  store16
	ADDQ $8, R10
	SUBQ $8, R11
	VBROADCASTSD (DX)(AX*8), Y8
	TAP(0, Y0, Y4)
	TAP(32, Y1, Y5)
	TAP(64, Y2, Y6)
	TAP(96, Y3, Y7)
	INCQ AX
	JMP  tap16

store16:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $16, CX
	JMP     loop16

done:
	VZEROUPPER
	RET
