//go:build amd64 && !purego

#include "textflag.h"

// The kernels give the bits of the Go functions they replace: the same
// operations in the same order (separate VMULPD and VADDPD, and a fused
// multiply-add only where the Go code has math.FMA: the smoothing step),
// the integer tricks on the bits done with the same integer
// operations lane by lane, and VMAXPD/VMINPD where the Go code takes the
// bitwise maximum or minimum of non-negative values (against +0 for Relu,
// −0 included; a NaN level, which the processors never see, may come out
// otherwise). AX points at ·kernelConsts (offsets K_*), R8 and R10 at
// the tables ·logTable and ·exp2Bits. The table lookups are four scalar
// loads (BX, R11, R12, R13 hold the lanes' indices) rather than gathers,
// which measured several times slower.

#include "kernels_amd64.h"

// CURVE(x, d, z) replaces the log2 levels in x by Curve.Target of them
// (z becomes +0, for the two Relu).
#define CURVE(x, d, z) \
	VMULPD  C_SCALE(DX), x, d \
	VSUBPD  C_THR(DX), d, d \
	VADDPD  C_HALF(DX), d, x \
	VXORPD  z, z, z \
	VMAXPD  z, x, x \
	VMINPD  C_KNEE(DX), x, x \
	VMULPD  x, x, x \
	VMULPD  C_INV2W(DX), x, x \
	VSUBPD  C_HALF(DX), d, d \
	VMAXPD  z, d, d \
	VADDPD  d, x, x \
	VMULPD  C_SLOPE(DX), x, x

// STEP(t, i) is Smoother.Step of the reduction in X15 towards the target
// in the low lane of t, frame i of the pass: X1 = (1 − α_r)·gr + α_r·t and
// X2 = (1 − α_a)·gr + α_a·t, each one VFMADD231SD on the product α·t the
// pass stored before (C_STEPR, C_STEPA), and X15 becomes X2 where t > gr
// (VCMPSD, off the recursion: it runs beside the FMAs), X1 otherwise, and
// +0 where gr < flushBelow and t = 0 (X4, also beside them). The
// recursion's path is the FMA, the blend and the VANDNPD. X12 holds
// 1 − α_r, X13 1 − α_a. A NaN target compares false and propagates through
// the FMA as it does in the Go code.
#define STEP(t, i) \
	VMOVSD      C_STEPR+8*i(DX), X1 \
	VMOVSD      C_STEPA+8*i(DX), X2 \
	VCMPSD      $0x1e, X15, t, X3 \
	VCMPSD      $0x11, C_FLUSH(DX), X15, X4 \
	VCMPSD      $0x00, K_ZERO(AX), t, X5 \
	VANDPD      X5, X4, X4 \
	VFMADD231SD X12, X15, X1 \
	VFMADD231SD X13, X15, X2 \
	VBLENDVPD   X3, X2, X1, X15 \
	VANDNPD     X15, X4, X15

// func log2AVX2(dst, src []float64)
TEXT ·log2AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	LEAQ ·kernelConsts(SB), AX
	LEAQ ·logTable(SB), R8

log2loop:
	CMPQ CX, $4
	JLT  log2done
	VMOVUPD (SI), Y0
	LOG2(Y0, Y1, Y2, Y3, Y4, Y5, X2, X4, X5)
	VMOVUPD Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     log2loop

log2done:
	VZEROUPPER
	RET

// func exp2AVX2(dst, src []float64, scale float64)
TEXT ·exp2AVX2(SB), NOSPLIT, $0-56
	VBROADCASTSD scale+48(FP), Y8
	LEAQ ·kernelConsts(SB), AX
	LEAQ ·exp2Bits(SB), R10
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX

exp2loop:
	VMULPD  (SI), Y8, Y0
	EXP2(Y0, Y1, Y2, Y3, Y4, X0, X1, X4)
	VMOVUPD Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JNZ     exp2loop
	VZEROUPPER
	RET

// func gainComputerAVX2(k *runArgs, lv, gain []float64)
//
// GainComputer.Run four frames a pass (len(lv) a multiple of 4, at least
// 4), software-pipelined so that the serial smoothing never waits on the
// vector work: a pass smooths frames 4p … 4p+3 lane by lane from the
// targets Y9 the previous pass made, then computes the targets of the next
// four frames and the gains of the previous four (from Y10, the reductions
// the previous pass smoothed). Y14 gathers the largest reduction.
TEXT ·gainComputerAVX2(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), DX
	MOVQ lv_base+8(FP), SI
	MOVQ lv_len+16(FP), CX
	MOVQ gain_base+32(FP), DI
	LEAQ ·kernelConsts(SB), AX
	LEAQ ·logTable(SB), R8
	LEAQ ·exp2Bits(SB), R10
	VMOVSD C_KEEPA(DX), X13
	VMOVSD C_KEEPR(DX), X12
	VMOVSD C_GR(DX), X15
	VXORPD Y14, Y14, Y14
	VMOVUPD (SI), Y9
	LOG2(Y9, Y1, Y2, Y3, Y4, Y5, X2, X4, X5)
	CURVE(Y9, Y1, Y7)
	ADDQ $32, SI
	XORQ R9, R9 // no previous frames yet

gcloop:
	VMULPD       C_ATT4(DX), Y9, Y1
	VMOVUPD      Y1, C_STEPA(DX)
	VMULPD       C_REL4(DX), Y9, Y1
	VMOVUPD      Y1, C_STEPR(DX)
	VMOVAPD      X9, X0
	VPERMILPD    $1, X9, X10
	VEXTRACTF128 $1, Y9, X11
	VPERMILPD    $1, X11, X8
	CMPQ CX, $4
	JLE  gcprev
	VMOVUPD (SI), Y9
	ADDQ    $32, SI
	// Four levels under the knee's foot (C_QUIET) have targets of exactly
	// +0, which the Log2 and the curve would give: skip them.
	VCMPPD    $0x11, C_QUIET(DX), Y9, Y1
	VMOVMSKPD Y1, R14
	CMPQ      R14, $15
	JNE       gclevels
	VXORPD    Y9, Y9, Y9
	JMP       gcprev

gclevels:
	LOG2(Y9, Y1, Y2, Y3, Y4, Y5, X2, X4, X5)
	CURVE(Y9, Y1, Y7)

gcprev:
	TESTQ R9, R9
	JZ    gcchain
	// Four reductions of +0 have the makeup's gain, which GAIN's blend
	// would give: skip the Exp2.
	VPTEST  Y6, Y6
	JNZ     gcgain
	VMOVUPD C_MAKEUPLIN(DX), Y1
	VMOVUPD Y1, -32(DI)
	JMP     gcchain

gcgain:
	GAIN(Y6, Y1, Y2, Y3, Y4, Y5, X1, X2, X5)
	VMOVUPD Y1, -32(DI)

gcchain:
	STEP(X0, 0)
	VMOVAPD   X15, X6
	STEP(X10, 1)
	VUNPCKLPD X15, X6, X6
	STEP(X11, 2)
	VMOVAPD   X15, X7
	STEP(X8, 3)
	VUNPCKLPD X15, X7, X7
	VINSERTF128 $1, X7, Y6, Y6

gcnext:
	MOVQ    $1, R9
	VMAXPD  Y6, Y14, Y14
	ADDQ    $32, DI
	SUBQ    $4, CX
	JNZ     gcloop

	GAIN(Y6, Y1, Y2, Y3, Y4, Y5, X1, X2, X5)
	VMOVUPD Y1, -32(DI)
	VMOVSD  X15, C_GR(DX)
	VEXTRACTF128 $1, Y14, X0
	VMAXPD  X0, X14, X14
	VPERMILPD $1, X14, X0
	VMAXPD  X0, X14, X14
	VMOVSD  X14, C_PEAK(DX)
	VZEROUPPER
	RET

// func applyAVX(dst, src, save []float32, g []float64)
//
// applyGain four samples a pass (len(dst) a multiple of 4): the old dst to
// save (when save is not nil: SI), then src·g rounded to float32 into dst.
TEXT ·applyAVX(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	XORQ AX, AX // the sample index
	MOVQ src_base+24(FP), SI
	MOVQ save_base+48(FP), R9
	MOVQ g_base+72(FP), DX

applyloop:
	VMOVUPS    (DI)(AX*4), X0
	VCVTPS2PD  (SI)(AX*4), Y1
	VMULPD     (DX)(AX*8), Y1, Y1
	VCVTPD2PSY Y1, X1
	VMOVUPS    X1, (DI)(AX*4)
	TESTQ      R9, R9
	JZ         applynext
	VMOVUPS    X0, (R9)(AX*4)

applynext:
	ADDQ $4, AX
	CMPQ AX, CX
	JLT  applyloop
	VZEROUPPER
	RET
