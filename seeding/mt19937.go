package seeding

// MT19937 parameters, as in CPython's Modules/_randommodule.c.
const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// mt is the raw Mersenne Twister state.
type mt struct {
	state [mtN]uint32
	index int
}

// initGenrand is CPython's init_genrand.
func (m *mt) initGenrand(s uint32) {
	m.state[0] = s
	for i := 1; i < mtN; i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	m.index = mtN
}

// initByArray is CPython's init_by_array; key must be non-empty.
func (m *mt) initByArray(key []uint32) {
	m.initGenrand(19650218)
	st := &m.state
	i, j := 1, 0
	k := max(mtN, len(key))
	for ; k > 0; k-- {
		prev := st[i-1]
		st[i] = (st[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= mtN {
			st[0] = st[mtN-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = mtN - 1; k > 0; k-- {
		prev := st[i-1]
		st[i] = (st[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= mtN {
			st[0] = st[mtN-1]
			i = 1
		}
	}
	st[0] = 0x80000000 // MSB is 1, assuring a non-zero initial array
}

// twist regenerates all mtN words at once.
func (m *mt) twist() {
	st := &m.state
	var kk int
	for kk = 0; kk < mtN-mtM; kk++ {
		y := (st[kk] & mtUpperMask) | (st[kk+1] & mtLowerMask)
		st[kk] = st[kk+mtM] ^ (y >> 1) ^ (-(y & 1) & mtMatrixA)
	}
	for ; kk < mtN-1; kk++ {
		y := (st[kk] & mtUpperMask) | (st[kk+1] & mtLowerMask)
		st[kk] = st[kk+(mtM-mtN)] ^ (y >> 1) ^ (-(y & 1) & mtMatrixA)
	}
	y := (st[mtN-1] & mtUpperMask) | (st[0] & mtLowerMask)
	st[mtN-1] = st[mtM-1] ^ (y >> 1) ^ (-(y & 1) & mtMatrixA)
	m.index = 0
}

// next is CPython's genrand_uint32 (with tempering).
func (m *mt) next() uint32 {
	if m.index >= mtN {
		m.twist()
	}
	y := m.state[m.index]
	m.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}
