//go:build amd64 && !purego

#include "textflag.h"

// FIRST(off, acc, tap) starts an accumulator with tap 0 for a register
// of outputs: acc = c[0]·(front + back) at byte offset off, c[0] in tap.
#define FIRST(off, acc, tap) \
	VMOVUPD off(R10), acc \
	VADDPD  off(R11), acc, acc \
	VMULPD  tap, acc, acc

// TAP(off, acc, tmp, tap) adds the current tap's term for a register of
// outputs.
#define TAP(off, acc, tmp, tap) \
	VMOVUPD off(R10), tmp \
	VADDPD  off(R11), tmp, tmp \
	VMULPD  tap, tmp, tmp \
	VADDPD  tmp, acc, acc

// BODY is a whole kernel for registers of w bytes (four accumulators
// a0…a3, scratch t0…t3, the tap in tp; n = 4·w/8 outputs per pass) with
// its labels. R10 walks the window's front forward, R11 its back
// backward.
#define BODY(w, n, a0, a1, a2, a3, t0, t1, t2, t3, tp, loop, taps, store, done) \
	MOVQ c_len+56(FP), R8 \
	MOVQ R8, R9 \
	SHLQ $4, R9 \
	SUBQ $8, R9 \
	MOVQ c_base+48(FP), DX \
	MOVQ x_base+24(FP), SI \
	MOVQ dst_base+0(FP), DI \
	MOVQ dst_len+8(FP), CX \
loop: \
	CMPQ CX, $n \
	JLT  done \
	MOVQ SI, R10 \
	LEAQ (SI)(R9*1), R11 \
	VBROADCASTSD (DX), tp \
	FIRST(0, a0, tp) \
	FIRST(w, a1, tp) \
	FIRST(2*w, a2, tp) \
	FIRST(3*w, a3, tp) \
	MOVQ $1, AX \
taps: \
	CMPQ AX, R8 \
	JGE  store \
	ADDQ $8, R10 \
	SUBQ $8, R11 \
	VBROADCASTSD (DX)(AX*8), tp \
	TAP(0, a0, t0, tp) \
	TAP(w, a1, t1, tp) \
	TAP(2*w, a2, t2, tp) \
	TAP(3*w, a3, t3, tp) \
	INCQ AX \
	JMP  taps \
store: \
	VMOVUPD a0, (DI) \
	VMOVUPD a1, w(DI) \
	VMOVUPD a2, 2*w(DI) \
	VMOVUPD a3, 3*w(DI) \
	ADDQ    $4*w, DI \
	ADDQ    $4*w, SI \
	SUBQ    $n, CX \
	JMP     loop \
done: \
	VZEROUPPER \
	RET

// func interpolateAVX(dst, x, c []float64)
//
// dst[i] = c[0]·(x[i] + x[i+2K−1]) + c[1]·(x[i+1] + x[i+2K−2]) + …, added
// in that order in each lane (VMULPD then VADDPD: no fused multiply-add, so
// the lanes round as the Go code does); sixteen outputs (four
// accumulators, which hides the latency of the additions) per pass.
TEXT ·interpolateAVX(SB), NOSPLIT, $0-72
	BODY(32, 16, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, loop16, tap16, store16, done16)

// func interpolateAVX512(dst, x, c []float64)
//
// interpolateAVX with 512-bit registers: the same operations in each lane,
// so the same bits, 32 outputs per pass over the taps.
TEXT ·interpolateAVX512(SB), NOSPLIT, $0-72
	BODY(64, 32, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, loop32, tap32, store32, done32)
