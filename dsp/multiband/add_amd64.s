//go:build amd64 && !purego

#include "textflag.h"

// The band sums of addTo, four frames a step with the Go loops' operations
// in their order (no fused multiply-add; halving is a multiply by 0.5,
// exact as the division by 2): bit-identical. len(g) is a multiple of 4.

// func maddAVX(s, x, g []float64)
//
// s[i] += x[i]·g[i]
TEXT ·maddAVX(SB), NOSPLIT, $0-72
	MOVQ  s_base+0(FP), DI
	MOVQ  x_base+24(FP), SI
	MOVQ  g_base+48(FP), BX
	MOVQ  g_len+56(FP), CX
	XORQ  DX, DX
	TESTQ CX, CX
	JZ    maddDone

maddLoop:
	VMOVUPD (SI)(DX*8), Y0
	VMULPD  (BX)(DX*8), Y0, Y0
	VADDPD  (DI)(DX*8), Y0, Y0
	VMOVUPD Y0, (DI)(DX*8)
	ADDQ    $4, DX
	CMPQ    DX, CX
	JL      maddLoop

maddDone:
	VZEROUPPER
	RET

// func widthAddAVX(sl, sr, l, r, g []float64, h float64)
//
// mid = (l + r)/2·g, side = (l − r)/2·g·h; sl += mid + side, sr += mid − side
TEXT ·widthAddAVX(SB), NOSPLIT, $0-128
	MOVQ         sl_base+0(FP), DI
	MOVQ         sr_base+24(FP), R8
	MOVQ         l_base+48(FP), SI
	MOVQ         r_base+72(FP), R9
	MOVQ         g_base+96(FP), BX
	MOVQ         g_len+104(FP), CX
	VBROADCASTSD h+120(FP), Y15
	VBROADCASTSD half<>(SB), Y14
	XORQ         DX, DX
	TESTQ        CX, CX
	JZ           widthDone

widthLoop:
	VMOVUPD (SI)(DX*8), Y0
	VMOVUPD (R9)(DX*8), Y1
	VMOVUPD (BX)(DX*8), Y2
	VADDPD  Y1, Y0, Y3     // l + r
	VSUBPD  Y1, Y0, Y4     // l − r
	VMULPD  Y14, Y3, Y3
	VMULPD  Y14, Y4, Y4
	VMULPD  Y2, Y3, Y3     // mid
	VMULPD  Y2, Y4, Y4
	VMULPD  Y15, Y4, Y4    // side
	VADDPD  Y4, Y3, Y5     // mid + side
	VSUBPD  Y4, Y3, Y6     // mid − side
	VADDPD  (DI)(DX*8), Y5, Y5
	VADDPD  (R8)(DX*8), Y6, Y6
	VMOVUPD Y5, (DI)(DX*8)
	VMOVUPD Y6, (R8)(DX*8)
	ADDQ    $4, DX
	CMPQ    DX, CX
	JL      widthLoop

widthDone:
	VZEROUPPER
	RET

DATA half<>+0(SB)/8, $0.5
GLOBL half<>(SB), RODATA|NOPTR, $8
