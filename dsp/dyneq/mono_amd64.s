//go:build amd64 && !purego

#include "textflag.h"

// bellArgs (AX), offsets checked by TestBellArgsLayout.
#define A_B0 0
#define A_K1 8
#define A_K2 16
#define A_A1 24
#define A_A2 32
#define A_DECAY 40
#define A_INVRUN 48
#define A_QUIET 56
#define A_SLOPE 64
#define A_THR 72
#define A_RNG 80
#define A_ATT 88
#define A_REL 96
#define A_S1 104
#define A_S2 112
#define A_ENV 120
#define A_PEAK 128
#define A_FROM 136
#define A_STEP 144
#define A_GR 152
#define A_BLOCK 160
#define A_POS 168
#define A_RUN 176
#define A_LOGTAB 184
#define A_EXPTAB 192
#define A_ABS 200
#define A_NEG 216
#define C_TINY 232
#define C_DBPERLOG2 240
#define C_MAGICF 248
#define C_L1 256
#define C_L2 264
#define C_ONE 272
#define C_256 280
#define C_SHIFT 288
#define C_LN2 296
#define C_HALF 304
#define C_L2PERDB 312
#define C_MINCUT 320

// BELL_IN loads the state and constants from the argument block (AX):
// X1 s1, X2 s2, X3 env, X4 peak, X5 from, X6 step, X7 gr, X8 block, X9 pos
// as a float64 (counted by adding 1, exact); BX pos, R9 run, R8 Log2's
// table, DI Exp2's.
#define BELL_IN \
	VMOVSD  A_S1(AX), X1 \
	VMOVSD  A_S2(AX), X2 \
	VMOVSD  A_ENV(AX), X3 \
	VMOVSD  A_PEAK(AX), X4 \
	VMOVSD  A_FROM(AX), X5 \
	VMOVSD  A_STEP(AX), X6 \
	VMOVSD  A_GR(AX), X7 \
	VMOVSD  A_BLOCK(AX), X8 \
	MOVQ    A_POS(AX), BX \
	VCVTSI2SDQ BX, X9, X9 \
	MOVQ    A_RUN(AX), R9 \
	MOVQ    A_LOGTAB(AX), R8 \
	MOVQ    A_EXPTAB(AX), DI

// BELL_ENV(a) is the detector's frame on the level a (≥ +0): env =
// max(env·decay, a), peak = max(peak, env), pos + 1 and the gain − 1, X13
// = from + step·pos.
#define BELL_ENV(a) \
	VMULSD    A_DECAY(AX), X3, X3 \
	VMAXSD    X3, a, X3 \
	VMAXSD    X4, X3, X4 \
	INCQ      BX \
	VADDSD    C_ONE(AX), X9, X9 \
	VMULSD    X6, X9, X13 \
	VADDSD    X5, X13, X13

// BELL_FRAME is the band's frame on v in X0: the band-pass section (y in
// X10), the envelope and the run's peak, pos + 1 and the gain − 1, X13 =
// from + step·pos.
#define BELL_FRAME \
	VMULSD    A_B0(AX), X0, X10 \
	VADDSD    X1, X10, X10 \
	VMULSD    A_K1(AX), X0, X11 \
	VADDSD    X2, X11, X11 \
	VMULSD    A_A1(AX), X1, X12 \
	VSUBSD    X12, X11, X11 \
	VMULSD    A_K2(AX), X0, X12 \
	VMULSD    A_A2(AX), X1, X13 \
	VSUBSD    X13, X12, X2 \
	VMOVAPD   X11, X1 \
	VANDPD    A_ABS(AX), X10, X12 \
	BELL_ENV(X12)

// BELL_RUN_END is the run's end, then a jump back to loop: from +=
// step·pos, then Band.control(peak) for the next run's step: to = 0 when
// no cut is under way and none asked for (full: otherwise), else lev =
// DBPerLog2·Log2(MaxPos(peak, 1e-12)) (the exponent by the magic number,
// the table entry of the mantissa's top 8 bits), t = min(slope·Relu(lev −
// thr), range), gr = t + (gr − t)·(t > gr ? attack : release) (the
// coefficient chosen by the sign bit of gr − t: at gr = t, +0, either
// times +0 is +0), block = max(block, gr), gr below 1e-9 to 0 (to = 0) or
// (cut:) to = Exp2(−gr·Log2PerDB) − 1; setstep: step = (to − from)·invRun,
// and the run starts again. Log2 and Exp2 are envelope's LOG2 and EXP2
// (its kernels_amd64.h, four lanes) on one value, with this block's
// constants and the table index in general registers; TestDetectKernel and
// TestBellMonoFused hold both to envelope.Log2 and envelope.Exp2's bits.
#define BELL_RUN_END \
	VMULSD     X6, X9, X13 \
	VADDSD     X13, X5, X5 \
	VXORPD     X13, X13, X13 \
	VUCOMISD   X13, X7 \
	JNE        full \
	JPS        full \
	VUCOMISD   A_QUIET(AX), X4 \
	JCS        setstep \
full: \
	VMAXSD     C_TINY(AX), X4, X12 \
	VMOVQ      X12, R10 \
	MOVQ       R10, R11 \
	SHRQ       $52, R11 \
	MOVQ       $0x4330000000000000, R12 \
	ORQ        R12, R11 \
	VMOVQ      R11, X13 \
	VSUBSD     C_MAGICF(AX), X13, X13 \
	MOVQ       R10, R12 \
	SHLQ       $12, R12 \
	SHRQ       $56, R12 \
	SHLQ       $4, R12 \
	MOVQ       $0x000fffffffffffff, R11 \
	ANDQ       R10, R11 \
	MOVQ       $0x3ff0000000000000, R10 \
	ORQ        R10, R11 \
	VMOVQ      R11, X14 \
	VMULSD     (R8)(R12*1), X14, X14 \
	VSUBSD     C_ONE(AX), X14, X14 \
	VADDSD     8(R8)(R12*1), X13, X13 \
	VMULSD     C_L2(AX), X14, X15 \
	VMOVSD     C_L1(AX), X12 \
	VSUBSD     X15, X12, X12 \
	VMULSD     X12, X14, X12 \
	VADDSD     X12, X13, X13 \
	VMULSD     C_DBPERLOG2(AX), X13, X13 \
	VSUBSD     A_THR(AX), X13, X13 \
	VXORPD     X15, X15, X15 \
	VMAXSD     X15, X13, X13 \
	VMULSD     A_SLOPE(AX), X13, X13 \
	VMINSD     A_RNG(AX), X13, X13 \
	VMOVSD     A_ATT(AX), X11 \
	VMOVSD     A_REL(AX), X12 \
	VSUBSD     X13, X7, X14 \
	VBLENDVPD  X14, X11, X12, X12 \
	VMULSD     X12, X14, X14 \
	VADDSD     X14, X13, X7 \
	VMAXSD     X8, X7, X8 \
	VXORPD     X13, X13, X13 \
	VUCOMISD   C_MINCUT(AX), X7 \
	JCC        cut \
	VXORPD     X7, X7, X7 \
	JMP        setstep \
cut: \
	VMOVSD     A_NEG(AX), X12 \
	VXORPD     X12, X7, X13 \
	VMULSD     C_L2PERDB(AX), X13, X13 \
	VMULSD     C_256(AX), X13, X13 \
	VADDSD     C_SHIFT(AX), X13, X14 \
	VMOVQ      X14, R10 \
	MOVQ       $0x4338000000000000, R11 \
	SUBQ       R11, R10 \
	VSUBSD     C_SHIFT(AX), X14, X14 \
	VSUBSD     X14, X13, X13 \
	VMULSD     C_LN2(AX), X13, X13 \
	VMULSD     C_HALF(AX), X13, X14 \
	VADDSD     C_ONE(AX), X14, X14 \
	VMULSD     X14, X13, X14 \
	VADDSD     C_ONE(AX), X14, X14 \
	MOVQ       R10, R11 \
	ANDQ       $255, R11 \
	SHLQ       $4, R11 \
	SARQ       $8, R10 \
	SHLQ       $52, R10 \
	ADDQ       (DI)(R11*1), R10 \
	VMOVQ      R10, X15 \
	VMULSD     X15, X14, X14 \
	VSUBSD     C_ONE(AX), X14, X13 \
setstep: \
	VSUBSD     X5, X13, X6 \
	VMULSD     A_INVRUN(AX), X6, X6 \
	VXORPD     X4, X4, X4 \
	XORQ       BX, BX \
	VXORPD     X9, X9, X9 \
	JMP        loop

// BELL_OUT stores the state back.
#define BELL_OUT \
	VMOVSD  X1, A_S1(AX) \
	VMOVSD  X2, A_S2(AX) \
	VMOVSD  X3, A_ENV(AX) \
	VMOVSD  X4, A_PEAK(AX) \
	VMOVSD  X5, A_FROM(AX) \
	VMOVSD  X6, A_STEP(AX) \
	VMOVSD  X7, A_GR(AX) \
	VMOVSD  X8, A_BLOCK(AX) \
	MOVQ    BX, A_POS(AX)

// THREE_ARGS loads the arguments of the kernels of three slices and k:
// the first slice to SI, the second to R13, the third to R14, its length
// to CX, k to AX.
#define THREE_ARGS \
	MOVQ      k+72(FP), AX \
	MOVQ      x_base+0(FP), SI \
	MOVQ      y_base+24(FP), R13 \
	MOVQ      g_base+48(FP), R14 \
	MOVQ      g_len+56(FP), CX

// BELL_LOOP starts a kernel's loop over the CX frames (DX counts them):
// the state in (BELL_IN), then each frame from loop.
#define BELL_LOOP \
	XORQ      DX, DX \
	BELL_IN \
loop: \
	CMPQ      DX, CX \
	JGE       done

// BELL_NEXT ends a frame: the next one, or the run's end (BELL_RUN_END,
// which loops); at the end the state out.
#define BELL_NEXT \
	INCQ      DX \
	CMPQ      BX, R9 \
	JNE       loop \
	BELL_RUN_END \
done: \
	BELL_OUT \
	VZEROUPPER \
	RET

// func bellAVX(x []float32, k *bellArgs)
//
// bellMono's loop (mono.go) in scalar AVX: per frame the band-pass
// section, the envelope and the run's peak, the gain ramp and the output;
// at the end of each run Band.control's arithmetic (envelope.Log2, the
// curve, BlockSmoother.Step, envelope.Exp2), each product and sum rounded
// as the Go code rounds it, in its order (no fused multiply-add; the
// integer tricks on the bits with the same integer operations). Where the
// Go code keeps the larger of two values (a > b ? a : b, builtin max and
// min, MaxPos, Relu) of non-negative numbers, VMAXSD and VMINSD give the
// same bits: they return the second source on equality and on a NaN, as
// the comparison keeps the old value.
//
// Registers: X1 s1, X2 s2, X3 env, X4 peak, X5 from, X6 step, X7 gr,
// X8 block, X9 pos as a float64 (counted by adding 1, exact); SI x, CX its length, DX the frame, BX pos, R9 run, R8 Log2's
// table, DI Exp2's.
TEXT ·bellAVX(SB), NOSPLIT, $0-32
	MOVQ      k+24(FP), AX
	MOVQ      x_base+0(FP), SI
	MOVQ      x_len+8(FP), CX
	BELL_LOOP
	VCVTSS2SD (SI)(DX*4), X0, X0 // v
	BELL_FRAME
	VMULSD    X10, X13, X13
	VADDSD    X0, X13, X13
	VCVTSD2SS X13, X13, X13
	VMOVSS    X13, (SI)(DX*4)
	BELL_NEXT

// func bellGainsAVX(x []float32, y, g []float64, k *bellArgs)
//
// bellAVX storing the band signal y and the gain − 1 g of each frame
// instead of the output: the serial part of a bell on the mid or side
// (ProcessMidSide), whose output then takes a vector pass (vec.BellOut)
// off the recursions' path.
TEXT ·bellGainsAVX(SB), NOSPLIT, $0-80
	THREE_ARGS
	BELL_LOOP
	VCVTSS2SD (SI)(DX*4), X0, X0 // v
	BELL_FRAME
	VMOVSD    X10, (R13)(DX*8)
	VMOVSD    X13, (R14)(DX*8)
	BELL_NEXT

// func detectAVX(x, y, g []float64, k *bellArgs)
//
// Process's detector (envelope.ControlRate's frame arithmetic, the
// larger channel taken before the decay's maximum, which over
// non-negative numbers is the same bits) over the band signal's channels
// x0 and x1 (x0 twice for one channel), the gain − 1 of each frame to g,
// with Band.control at each run's end inline (BELL_RUN_END): no call per
// run. Per frame: |x|
// and |y| (a NaN turned into +0 by VMAXSD with +0, which the decayed
// envelope outweighs, as the Go comparisons pass a NaN over), env =
// max(env·decay, the larger), peak = max(peak, env), pos + 1, g = from +
// step·pos.
TEXT ·detectAVX(SB), NOSPLIT, $0-80
	THREE_ARGS
	BELL_LOOP
	VMOVSD    (SI)(DX*8), X10
	VANDPD    A_ABS(AX), X10, X10
	VMOVSD    (R13)(DX*8), X11
	VANDPD    A_ABS(AX), X11, X11
	VXORPD    X12, X12, X12
	VMAXSD    X12, X10, X10
	VMAXSD    X12, X11, X11
	VMAXSD    X11, X10, X10
	BELL_ENV(X10)
	VMOVSD    X13, (R14)(DX*8)
	BELL_NEXT
