//go:build amd64 && !purego

#include "textflag.h"
#include "kernels_amd64.h"

// laneArgs (offsets checked by TestCurveLanes).
#define L_X0 0
#define L_X1 32
#define L_G 64
#define L_ENV 96
#define L_PEAK 128
#define L_FROM 160
#define L_STEP 192
#define L_DECAY 224
#define L_POS 256
#define L_ONES 264
#define L_ABS 296
#define L_THR 328
#define L_HK 360
#define L_KNEE 392
#define L_INV2W 424
#define L_SLOPE 456
#define L_ETHR 488
#define L_ESLOPE 520
#define L_RNG 552
#define L_MAKEUPDB 584
#define L_QB 648
#define L_QA 680
#define L_ATT 712
#define L_REL 744
#define L_GR 776
#define L_MAXGR 808
#define L_TINY 840
#define L_DBPL2 872
#define L_MINGR 904
#define L_RUNF 936
#define L_INVRUN 944
#define L_RUNI 952
#define L_POSI 960
#define L_DONE 968
#define L_LEFT 976
#define L_SEG 984

// LANES(off, r0, r1, r2, r3) loads the four lanes' pointers at off in k
// (AX) to r0 … r3, each advanced by the DX frames of the block (the loop
// indexes them from −DX up to 0); r3 may be AX, loaded last.
#define LANES(off, r0, r1, r2, r3) \
	MOVQ off(AX), r0; LEAQ (r0)(DX*8), r0 \
	MOVQ off+8(AX), r1; LEAQ (r1)(DX*8), r1 \
	MOVQ off+16(AX), r2; LEAQ (r2)(DX*8), r2 \
	MOVQ off+24(AX), r3; LEAQ (r3)(DX*8), r3

// func curveLanesAVX(k *laneArgs)
//
// The block of k.left frames of the four lanes, a segment up to each
// run's end at a time (the pointers advanced by the frames done), and at
// each run's end the four lanes' BandCurve.Gain side by
// side: Log2 of the peak (at least 1e-12) in dB, the knee's and the
// expander's terms, BlockSmoother.Step's coefficient by a compare and a
// blend, the largest reduction, the flush under 1e-9 dB, the lanes on
// the quiet path keeping theirs, and the gain (GAIN: the makeup where the
// reduction is 0); then each lane's ramp from its gain, as Process does.
// Each operation is the Go code's, in its order, so each lane gets
// BandCurve.Gain's bits. A lane the caller does not use repeats lane 0.
//
// A frame is ControlRate's with one detector per lane: the lanes' |x0| and
// |x1| (a NaN turned into +0 by VMAXPD with +0, which returns its second
// source on a NaN), their larger, env = max(env·decay, that), peak =
// max(peak, env), pos + 1 and the gain from + step·pos to each lane's
// output. Over non-negative numbers the maximum is the same bits in any
// order, so each lane gets ControlRate's bits.
TEXT ·curveLanesAVX(SB), NOSPLIT, $0-8
segment:
	MOVQ    k+0(FP), AX
	MOVQ    L_LEFT(AX), CX
	TESTQ   CX, CX
	JZ      finish
	MOVQ    L_RUNI(AX), DX
	SUBQ    L_POSI(AX), DX
	CMPQ    DX, CX
	CMOVQGT CX, DX
	MOVQ    DX, L_SEG(AX)
	ADDQ    L_DONE(AX), DX
	VMOVUPD L_ENV(AX), Y8
	VMOVUPD L_PEAK(AX), Y9
	VBROADCASTSD L_POS(AX), Y13
	VXORPD  Y7, Y7, Y7
	LANES(L_X0, R8, R9, R10, R11)
	VMOVUPD L_FROM(AX), Y10
	VMOVUPD L_STEP(AX), Y11
	VMOVUPD L_DECAY(AX), Y12
	LANES(L_X1, R12, R13, SI, DI)
	VMOVUPD L_ONES(AX), Y14
	VMOVUPD L_ABS(AX), Y15
	LANES(L_G, R14, BX, CX, AX)
	MOVQ    k+0(FP), DX
	MOVQ    L_SEG(DX), DX
	NEGQ    DX

frames:
	VMOVSD       (R8)(DX*8), X0
	VMOVHPD      (R9)(DX*8), X0, X0
	VMOVSD       (R10)(DX*8), X1
	VMOVHPD      (R11)(DX*8), X1, X1
	VINSERTF128  $1, X1, Y0, Y0
	VMOVSD       (R12)(DX*8), X1
	VMOVHPD      (R13)(DX*8), X1, X1
	VMOVSD       (SI)(DX*8), X2
	VMOVHPD      (DI)(DX*8), X2, X2
	VINSERTF128  $1, X2, Y1, Y1
	VANDPD       Y15, Y0, Y0
	VANDPD       Y15, Y1, Y1
	VMAXPD       Y7, Y0, Y0
	VMAXPD       Y7, Y1, Y1
	VMAXPD       Y1, Y0, Y0
	VMULPD       Y12, Y8, Y8
	VMAXPD       Y8, Y0, Y8
	VMAXPD       Y9, Y8, Y9
	VADDPD       Y14, Y13, Y13
	VMULPD       Y11, Y13, Y2
	VADDPD       Y10, Y2, Y2
	VMOVSD       X2, (R14)(DX*8)
	VMOVHPD      X2, (BX)(DX*8)
	VEXTRACTF128 $1, Y2, X3
	VMOVSD       X3, (CX)(DX*8)
	VMOVHPD      X3, (AX)(DX*8)
	INCQ    DX
	JNZ     frames

	MOVQ    k+0(FP), R9
	VMOVUPD Y8, L_ENV(R9)
	VMOVUPD Y9, L_PEAK(R9)
	MOVQ    L_SEG(R9), CX
	ADDQ    CX, L_DONE(R9)
	SUBQ    CX, L_LEFT(R9)
	ADDQ    L_POSI(R9), CX
	MOVQ    CX, L_POSI(R9)
	VCVTSI2SDQ CX, X0, X0
	VMOVSD  X0, L_POS(R9)
	CMPQ    CX, L_RUNI(R9)
	JNE     segment

	LEAQ    ·kernelConsts(SB), AX
	LEAQ    ·logTable(SB), R8
	LEAQ    ·exp2Bits(SB), R10
	LEAQ    (L_MAKEUPDB-C_MAKEUP)(R9), DX
	VXORPD  Y7, Y7, Y7
	VMOVUPD L_PEAK(R9), Y0
	VMAXPD  L_TINY(R9), Y0, Y1
	LOG2(Y1, Y2, Y3, Y4, Y5, Y6, X3, X5, X6)
	VMULPD  L_DBPL2(R9), Y1, Y1
	VSUBPD  L_THR(R9), Y1, Y2
	VADDPD  L_HK(R9), Y2, Y3
	VMAXPD  Y7, Y3, Y3
	VMINPD  L_KNEE(R9), Y3, Y3
	VMULPD  Y3, Y3, Y3
	VMULPD  L_INV2W(R9), Y3, Y3
	VSUBPD  L_HK(R9), Y2, Y4
	VMAXPD  Y7, Y4, Y4
	VADDPD  Y4, Y3, Y3
	VMULPD  L_SLOPE(R9), Y3, Y3
	VMOVUPD L_ETHR(R9), Y4
	VSUBPD  Y1, Y4, Y4
	VMAXPD  Y7, Y4, Y4
	VMULPD  L_ESLOPE(R9), Y4, Y4
	VMINPD  L_RNG(R9), Y4, Y4
	VADDPD  Y4, Y3, Y3
	VMOVUPD L_GR(R9), Y5
	VCMPPD  $1, Y3, Y5, Y6
	VMOVUPD L_REL(R9), Y0
	VBLENDVPD Y6, L_ATT(R9), Y0, Y6
	VSUBPD  Y3, Y5, Y0
	VMULPD  Y6, Y0, Y0
	VADDPD  Y0, Y3, Y0
	VCMPPD  $0, Y7, Y5, Y1
	VMOVUPD L_PEAK(R9), Y2
	VCMPPD  $1, L_QB(R9), Y2, Y4
	VANDPD  Y4, Y1, Y1
	VMOVUPD L_QA(R9), Y4
	VCMPPD  $1, Y2, Y4, Y4
	VANDPD  Y4, Y1, Y1
	VMOVUPD L_MAXGR(R9), Y4
	VMAXPD  Y0, Y4, Y2
	VBLENDVPD Y1, Y4, Y2, Y2
	VMOVUPD Y2, L_MAXGR(R9)
	VCMPPD  $1, L_MINGR(R9), Y0, Y2
	VANDNPD Y0, Y2, Y0
	VBLENDVPD Y1, Y5, Y0, Y6
	VMOVUPD Y6, L_GR(R9)
	GAIN(Y6, Y1, Y2, Y3, Y4, Y5, X1, X2, X5)
	VBROADCASTSD L_RUNF(R9), Y2
	VMULPD  L_STEP(R9), Y2, Y2
	VADDPD  L_FROM(R9), Y2, Y2
	VMOVUPD Y2, L_FROM(R9)
	VSUBPD  Y2, Y1, Y1
	VBROADCASTSD L_INVRUN(R9), Y3
	VMULPD  Y3, Y1, Y1
	VMOVUPD Y1, L_STEP(R9)
	VXORPD  Y0, Y0, Y0
	VMOVUPD Y0, L_PEAK(R9)
	MOVQ    $0, L_POSI(R9)
	VMOVSD  X0, L_POS(R9)
	JMP     segment

finish:
	VZEROUPPER
	RET
