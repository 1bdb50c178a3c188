// Macros of the block kernels, shared by kernels_amd64.s and
// lanes_amd64.s: the constants' offsets in ·kernelConsts (AX) and in a
// gain computer's argument block (DX), the table lookups, Log2, Exp2 and
// the gain with makeup, on four lanes, with the Go functions' operations
// in their order.

#define K_MANT 0
#define K_ONEEXP 32
#define K_MAGIC 64
#define K_MAGICF 96
#define K_L1 128
#define K_L2 160
#define K_ONE 192
#define K_256 224
#define K_SHIFT 256
#define K_LN2 288
#define K_HALF 320
#define K_IDX 352
#define K_L2PERDB 384
#define K_ZERO 416

// runArgs (DX)
#define C_SCALE 0
#define C_THR 32
#define C_HALF 64
#define C_KNEE 96
#define C_INV2W 128
#define C_SLOPE 160
#define C_MAKEUP 192
#define C_MAKEUPLIN 224
#define C_GR 256
#define C_PEAK 264
#define C_KEEPA 272
#define C_KEEPR 280
#define C_ATT4 288
#define C_REL4 320
#define C_STEPA 352
#define C_STEPR 384
#define C_QUIET 416
#define C_FLUSH 448

// LOOKUP(i, ix, a, ax, b, bx, base) fetches the 16-byte table entries at
// base + 8·i of the four lanes (i holds doubled indices) by scalar loads:
// their first halves to i, their second halves to b. It clobbers a, BX,
// R11, R12 and R13.
#define LOOKUP(i, ix, a, ax, b, bx, base) \
	VMOVQ    ix, BX \
	VPEXTRQ  $1, ix, R11 \
	VEXTRACTI128 $1, i, ix \
	VMOVQ    ix, R12 \
	VPEXTRQ  $1, ix, R13 \
	VMOVUPD  (base)(BX*8), ax \
	VINSERTF128 $1, (base)(R12*8), a, a \
	VMOVUPD  (base)(R11*8), bx \
	VINSERTF128 $1, (base)(R13*8), b, b \
	VUNPCKLPD b, a, i \
	VUNPCKHPD b, a, b

// LOG2(x, e, j, m, a, b, jx, ax, bx) replaces the four values of x by Log2 of them:
// the exponent by the magic-number trick, the table index from the
// mantissa's top 8 bits (doubled: entries of 16 bytes), both table values of each lane by one 16-byte
// load, then (e + log2 c_j) + r·(l1 − r·l2) with r = m/c_j − 1.
#define LOG2(x, e, j, m, a, b, jx, ax, bx) \
	VPSRLQ   $52, x, e \
	VPOR     K_MAGIC(AX), e, e \
	VSUBPD   K_MAGICF(AX), e, e \
	VPSLLQ   $12, x, j \
	VPSRLQ   $56, j, j \
	VPADDQ   j, j, j \
	VPAND    K_MANT(AX), x, m \
	VPOR     K_ONEEXP(AX), m, m \
	LOOKUP(j, jx, a, ax, b, bx, R8) \
	VMULPD   j, m, m \
	VSUBPD   K_ONE(AX), m, m \
	VADDPD   b, e, e \
	VMULPD   K_L2(AX), m, b \
	VMOVUPD  K_L1(AX), a \
	VSUBPD   b, a, a \
	VMULPD   a, m, a \
	VADDPD   a, e, x

// EXP2(y, t, k, p, i, yx, tx, ix) sets p to Exp2(y) as Exp2 computes it:
// the exponent times 256 rounded by the shifter (k, the integer, in its
// low bits), the remainder's polynomial, the table entry and the integer
// part added to its exponent bits. It clobbers y, t, k and i.
#define EXP2(y, t, k, p, i, yx, tx, ix) \
	VMULPD   K_256(AX), y, y \
	VADDPD   K_SHIFT(AX), y, t \
	VPSUBQ   K_SHIFT(AX), t, k \
	VSUBPD   K_SHIFT(AX), t, t \
	VSUBPD   t, y, y \
	VMULPD   K_LN2(AX), y, y \
	VMULPD   K_HALF(AX), y, p \
	VADDPD   K_ONE(AX), p, p \
	VMULPD   p, y, p \
	VADDPD   K_ONE(AX), p, p \
	VPAND    K_IDX(AX), k, i \
	VPADDQ   i, i, i \
	LOOKUP(i, ix, t, tx, y, yx, R10) \
	VPSRLQ   $8, k, k \
	VPSLLQ   $52, k, k \
	VPADDQ   k, i, i \
	VMULPD   i, p, p

// GAIN(g, y, t, k, p, i, yx, tx, ix) sets y to the gains for the
// reductions in g: Exp2((makeup − g)·Log2PerDB) as Exp2 computes it,
// makeupLin where g is 0.
#define GAIN(g, y, t, k, p, i, yx, tx, ix) \
	VMOVUPD  C_MAKEUP(DX), y \
	VSUBPD   g, y, y \
	VMULPD   K_L2PERDB(AX), y, y \
	EXP2(y, t, k, p, i, yx, tx, ix) \
	VXORPD   y, y, y \
	VCMPPD   $0, y, g, y \
	VBLENDVPD y, C_MAKEUPLIN(DX), p, y

