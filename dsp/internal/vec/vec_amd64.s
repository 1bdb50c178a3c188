//go:build amd64 && !purego

#include "textflag.h"

// Register roles: DX the frame index, CX the frames (a multiple of 4); Y14
// holds 0.5 where a kernel halves, Y15 its scalar argument (Y13 and Y15
// where it has two).

#define ENTER(done) XORQ DX, DX; TESTQ CX, CX; JZ done
// STEP(n, end, loop) moves DX n frames on and repeats loop below end; NEXT
// is the four-frame step to CX.
#define STEP(n, end, loop) ADDQ $n, DX; CMPQ DX, end; JL loop
#define NEXT(loop) STEP(4, CX, loop)
#define LEAVE VZEROUPPER; RET

// The arguments of the kernels of a dst and a src slice (DI, SI; the
// frames: len(src)), then ENTER.
#define DST_SRC(done) MOVQ dst_base+0(FP), DI; MOVQ src_base+24(FP), SI; MOVQ src_len+32(FP), CX; ENTER(done)

// l and r (SI, DI) of four frames to float64, and back (rounded to nearest).
#define WIDEN_LR(A, B) VCVTPS2PD (SI)(DX*4), A; VCVTPS2PD (DI)(DX*4), B
#define NARROW_LR(A, XA, B, XB) VCVTPD2PSY A, XA; VCVTPD2PSY B, XB; VMOVUPS XA, (SI)(DX*4); VMOVUPS XB, (DI)(DX*4)

// SUM = (A + B)·½, DIFF = (A − B)·½ (exact halving).
#define HALVES(A, B, SUM, DIFF) VADDPD B, A, SUM; VSUBPD B, A, DIFF; VMULPD Y14, SUM, SUM; VMULPD Y14, DIFF, DIFF

// The arguments of the mid/side kernels (l, r, x, resid, rest, s).
#define MS_ARGS \
	MOVQ         l_base+0(FP), SI     \
	MOVQ         r_base+24(FP), DI    \
	MOVQ         x_base+48(FP), R8    \
	MOVQ         x_len+56(FP), CX     \
	MOVQ         resid_base+72(FP), R9 \
	MOVQ         rest_base+96(FP), R10 \
	VBROADCASTSD s+120(FP), Y15       \
	VBROADCASTSD half<>(SB), Y14

// func msEncodeAsm(l, r, x []float32, resid, rest []float64, s float64)
//
// p = (a + s·b)·½ (the mid for s = 1, the side for s = −1), the other
// part q = (a − s·b)·½; x = float32(p), resid = p − x, rest = q.
TEXT ·msEncodeAsm(SB), NOSPLIT, $0-128
	MS_ARGS
	ENTER(encDone)

encLoop:
	WIDEN_LR(Y0, Y1)
	VMULPD     Y15, Y1, Y1 // s·b
	HALVES(Y0, Y1, Y2, Y3)
	VCVTPD2PSY Y2, X4
	VMOVUPS    X4, (R8)(DX*4)
	VCVTPS2PD  X4, Y5
	VSUBPD     Y5, Y2, Y5
	VMOVUPD    Y5, (R9)(DX*8)
	VMOVUPD    Y3, (R10)(DX*8)
	NEXT(encLoop)

encDone:
	LEAVE

// func msDecodeAsm(l, r, x []float32, resid, rest []float64, s float64)
//
// p = x + resid; l = p + rest, r = s·p − s·rest.
TEXT ·msDecodeAsm(SB), NOSPLIT, $0-128
	MS_ARGS
	ENTER(decDone)

decLoop:
	VCVTPS2PD (R8)(DX*4), Y0
	VADDPD    (R9)(DX*8), Y0, Y0
	VMOVUPD   (R10)(DX*8), Y1
	VADDPD    Y1, Y0, Y2
	VMULPD    Y15, Y0, Y3
	VMULPD    Y15, Y1, Y4
	VSUBPD    Y4, Y3, Y3
	NARROW_LR(Y2, X2, Y3, X3)
	NEXT(decLoop)

decDone:
	LEAVE

// func widthAsm(l, r []float32, h float64)
//
// m = (a + b)·½, w = (a − b)·h; l = m + w, r = m − w.
TEXT ·widthAsm(SB), NOSPLIT, $0-56
	MOVQ         l_base+0(FP), SI
	MOVQ         l_len+8(FP), CX
	MOVQ         r_base+24(FP), DI
	VBROADCASTSD h+48(FP), Y15
	VBROADCASTSD half<>(SB), Y14
	ENTER(widthDone)

widthLoop:
	WIDEN_LR(Y0, Y1)
	VADDPD Y1, Y0, Y2
	VSUBPD Y1, Y0, Y3
	VMULPD Y14, Y2, Y2
	VMULPD Y15, Y3, Y3
	VADDPD Y3, Y2, Y4
	VSUBPD Y3, Y2, Y5
	NARROW_LR(Y4, X4, Y5, X5)
	NEXT(widthLoop)

widthDone:
	LEAVE

// func maddAsm(s, x, g []float64)
//
// s += x·g
TEXT ·maddAsm(SB), NOSPLIT, $0-72
	MOVQ s_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ g_base+48(FP), BX
	MOVQ g_len+56(FP), CX
	ENTER(maddDone)

maddLoop:
	VMOVUPD (SI)(DX*8), Y0
	VMULPD  (BX)(DX*8), Y0, Y0
	VADDPD  (DI)(DX*8), Y0, Y0
	VMOVUPD Y0, (DI)(DX*8)
	NEXT(maddLoop)

maddDone:
	LEAVE

// func addF32Asm(dst, src []float32)
//
// dst += src (float32).
TEXT ·addF32Asm(SB), NOSPLIT, $0-48
	DST_SRC(addDone)

addLoop:
	VMOVUPS (DI)(DX*4), X0
	VADDPS  (SI)(DX*4), X0, X0
	VMOVUPS X0, (DI)(DX*4)
	NEXT(addLoop)

addDone:
	LEAVE

// func widthAddAsm(sl, sr, l, r, g []float64, h float64)
//
// mid = (l + r)·½·g, side = (l − r)·½·g·h; sl += mid + side, sr += mid − side.
TEXT ·widthAddAsm(SB), NOSPLIT, $0-128
	MOVQ         sl_base+0(FP), R8
	MOVQ         sr_base+24(FP), R9
	MOVQ         l_base+48(FP), SI
	MOVQ         r_base+72(FP), DI
	MOVQ         g_base+96(FP), BX
	MOVQ         g_len+104(FP), CX
	VBROADCASTSD h+120(FP), Y15
	VBROADCASTSD half<>(SB), Y14
	ENTER(waDone)

waLoop:
	VMOVUPD (SI)(DX*8), Y0
	VMOVUPD (DI)(DX*8), Y1
	HALVES(Y0, Y1, Y3, Y4)
	VMOVUPD (BX)(DX*8), Y2
	VMULPD  Y2, Y3, Y3 // mid
	VMULPD  Y2, Y4, Y4
	VMULPD  Y15, Y4, Y4 // side
	VADDPD  Y4, Y3, Y5
	VSUBPD  Y4, Y3, Y6
	VADDPD  (R8)(DX*8), Y5, Y5
	VADDPD  (R9)(DX*8), Y6, Y6
	VMOVUPD Y5, (R8)(DX*8)
	VMOVUPD Y6, (R9)(DX*8)
	NEXT(waLoop)

waDone:
	LEAVE

// func bellOutAsm(x []float32, b, g []float64)
//
// x = float32(float64(x) + g·b)
TEXT ·bellOutAsm(SB), NOSPLIT, $0-72
	MOVQ x_base+0(FP), R8
	MOVQ b_base+24(FP), SI
	MOVQ g_base+48(FP), BX
	MOVQ g_len+56(FP), CX
	ENTER(bellDone)

bellLoop:
	VMOVUPD    (BX)(DX*8), Y0
	VMULPD     (SI)(DX*8), Y0, Y0
	VCVTPS2PD  (R8)(DX*4), Y1
	VADDPD     Y0, Y1, Y1
	VCVTPD2PSY Y1, X1
	VMOVUPS    X1, (R8)(DX*4)
	NEXT(bellLoop)

bellDone:
	LEAVE

// func splitOutAsm(x []float32, lo, b, g []float64)
//
// x = float32(lo + (g + 1)·b)
TEXT ·splitOutAsm(SB), NOSPLIT, $0-96
	MOVQ         x_base+0(FP), R8
	MOVQ         lo_base+24(FP), R9
	MOVQ         b_base+48(FP), SI
	MOVQ         g_base+72(FP), BX
	MOVQ         g_len+80(FP), CX
	VBROADCASTSD one<>(SB), Y15
	ENTER(splitDone)

splitLoop:
	VADDPD     (BX)(DX*8), Y15, Y0
	VMULPD     (SI)(DX*8), Y0, Y0
	VADDPD     (R9)(DX*8), Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (R8)(DX*4)
	NEXT(splitLoop)

splitDone:
	LEAVE

// func interleaveAsm(out, even, odd []float64)
//
// out = [even₀ odd₀ even₁ odd₁ …], four of each a step (R8 walks out).
TEXT ·interleaveAsm(SB), NOSPLIT, $0-72
	MOVQ out_base+0(FP), R8
	MOVQ even_base+24(FP), SI
	MOVQ odd_base+48(FP), DI
	MOVQ odd_len+56(FP), CX
	ENTER(ilvDone)

ilvLoop:
	VMOVUPD    (SI)(DX*8), Y0
	VMOVUPD    (DI)(DX*8), Y1
	VUNPCKLPD  Y1, Y0, Y2 // e0 o0 e2 o2
	VUNPCKHPD  Y1, Y0, Y3 // e1 o1 e3 o3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMOVUPD    Y4, (R8)
	VMOVUPD    Y5, 32(R8)
	ADDQ       $64, R8
	NEXT(ilvLoop)

ilvDone:
	LEAVE

// func halfSumSplitAsm(v0, v1, a, b []float64)
//
// c = (a + b)·½ for eight values a step (R8, R9 walk a and b), its even
// values to v0 and its odd ones to v1.
TEXT ·halfSumSplitAsm(SB), NOSPLIT, $0-96
	MOVQ         v0_base+0(FP), SI
	MOVQ         v0_len+8(FP), CX
	MOVQ         v1_base+24(FP), DI
	MOVQ         a_base+48(FP), R8
	MOVQ         b_base+72(FP), R9
	VBROADCASTSD half<>(SB), Y14
	ENTER(hssDone)

hssLoop:
	VMOVUPD    (R8), Y0
	VADDPD     (R9), Y0, Y0
	VMULPD     Y14, Y0, Y0 // c0 c1 c2 c3
	VMOVUPD    32(R8), Y1
	VADDPD     32(R9), Y1, Y1
	VMULPD     Y14, Y1, Y1 // c4 c5 c6 c7
	VPERM2F128 $0x20, Y1, Y0, Y2 // c0 c1 c4 c5
	VPERM2F128 $0x31, Y1, Y0, Y3 // c2 c3 c6 c7
	VUNPCKLPD  Y3, Y2, Y4
	VUNPCKHPD  Y3, Y2, Y5
	VMOVUPD    Y4, (SI)(DX*8)
	VMOVUPD    Y5, (DI)(DX*8)
	ADDQ       $64, R8
	ADDQ       $64, R9
	NEXT(hssLoop)

hssDone:
	LEAVE

DATA half<>+0(SB)/8, $0.5
GLOBL half<>(SB), RODATA|NOPTR, $8
DATA one<>+0(SB)/8, $1.0
GLOBL one<>(SB), RODATA|NOPTR, $8

// func widenAsm(dst []float64, src []float32)
//
// dst = float64(src) (exact), eight values a step (CX a multiple of 8).
TEXT ·widenAsm(SB), NOSPLIT, $0-48
	DST_SRC(widenDone)

widenLoop:
	VCVTPS2PD (SI)(DX*4), Y0
	VCVTPS2PD 16(SI)(DX*4), Y1
	VMOVUPD   Y0, (DI)(DX*8)
	VMOVUPD   Y1, 32(DI)(DX*8)
	STEP(8, CX, widenLoop)

widenDone:
	LEAVE

// func narrowAsm(dst []float32, src []float64)
//
// dst = float32(src), rounded to nearest.
TEXT ·narrowAsm(SB), NOSPLIT, $0-48
	DST_SRC(narrowDone)

narrowLoop:
	VCVTPD2PSY (SI)(DX*8), X0
	VMOVUPS    X0, (DI)(DX*4)
	NEXT(narrowLoop)

narrowDone:
	LEAVE

// func scaleF32Asm(dst, src []float32, gain float32)
//
// dst = gain·src (float32), eight values a step, sixteen while sixteen remain
// (CX a multiple of 8).
TEXT ·scaleF32Asm(SB), NOSPLIT, $0-52
	VBROADCASTSS gain+48(FP), Y15
	DST_SRC(scaleDone)
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ   scaleTail

scaleLoop:
	VMULPS  (SI)(DX*4), Y15, Y0
	VMULPS  32(SI)(DX*4), Y15, Y1
	VMOVUPS Y0, (DI)(DX*4)
	VMOVUPS Y1, 32(DI)(DX*4)
	STEP(16, BX, scaleLoop)

scaleTail:
	CMPQ    DX, CX
	JGE     scaleDone
	VMULPS  (SI)(DX*4), Y15, Y0
	VMOVUPS Y0, (DI)(DX*4)

scaleDone:
	LEAVE

// func widenMulAddAsm(dst, acc []float64, x []float32, gain, weight float64)
//
// dst = float64(x)·gain; acc += weight·dst, each product rounded before the
// addition.
TEXT ·widenMulAddAsm(SB), NOSPLIT, $0-88
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         acc_base+24(FP), BX
	MOVQ         x_base+48(FP), SI
	VBROADCASTSD gain+72(FP), Y13
	VBROADCASTSD weight+80(FP), Y15
	ENTER(wmaDone)

wmaLoop:
	VCVTPS2PD (SI)(DX*4), Y0
	VMULPD    Y13, Y0, Y0
	VMOVUPD   Y0, (DI)(DX*8)
	VMULPD    Y15, Y0, Y1
	VADDPD    (BX)(DX*8), Y1, Y1
	VMOVUPD   Y1, (BX)(DX*8)
	NEXT(wmaLoop)

wmaDone:
	LEAVE
