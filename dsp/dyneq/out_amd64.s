//go:build amd64 && !purego

#include "textflag.h"

// The band's output loops, four frames a step with the Go loops'
// operations in their order (no fused multiply-add): bit-identical.
// len(g) is a multiple of 4.

// func bellOutAVX(x []float32, b, g []float64)
//
// x[i] = float32(float64(x[i]) + g[i]·b[i])
TEXT ·bellOutAVX(SB), NOSPLIT, $0-72
	MOVQ  x_base+0(FP), DI
	MOVQ  b_base+24(FP), SI
	MOVQ  g_base+48(FP), BX
	MOVQ  g_len+56(FP), CX
	XORQ  DX, DX
	TESTQ CX, CX
	JZ    bellDone

bellLoop:
	VMOVUPD    (BX)(DX*8), Y0
	VMULPD     (SI)(DX*8), Y0, Y0
	VCVTPS2PD  (DI)(DX*4), Y1
	VADDPD     Y0, Y1, Y1
	VCVTPD2PSY Y1, X1
	VMOVUPS    X1, (DI)(DX*4)
	ADDQ       $4, DX
	CMPQ       DX, CX
	JL         bellLoop

bellDone:
	VZEROUPPER
	RET

// func splitOutAVX(x []float32, lo, b, g []float64)
//
// x[i] = float32(lo[i] + (g[i] + 1)·b[i])
TEXT ·splitOutAVX(SB), NOSPLIT, $0-96
	MOVQ         x_base+0(FP), DI
	MOVQ         lo_base+24(FP), R8
	MOVQ         b_base+48(FP), SI
	MOVQ         g_base+72(FP), BX
	MOVQ         g_len+80(FP), CX
	VBROADCASTSD one<>(SB), Y15
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           splitDone

splitLoop:
	VADDPD     (BX)(DX*8), Y15, Y0
	VMULPD     (SI)(DX*8), Y0, Y0
	VADDPD     (R8)(DX*8), Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (DI)(DX*4)
	ADDQ       $4, DX
	CMPQ       DX, CX
	JL         splitLoop

splitDone:
	VZEROUPPER
	RET

DATA one<>+0(SB)/8, $1.0
GLOBL one<>(SB), RODATA|NOPTR, $8
