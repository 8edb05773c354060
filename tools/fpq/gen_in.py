import random, struct, sys
from ops import OPS
if __name__ == "__main__": random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if __name__ == "__main__" and len(sys.argv) > 2 else 40
FMT = {'h': (5, 10), 's': (8, 23), 'd': (11, 52)}

def mk(f, sign, exp, frac):
    E, F = FMT[f]
    return sign << (E + F) | exp << F | frac

def special(f):
    E, F = FMT[f]
    emax = (1 << E) - 1
    q = 1 << (F - 1)
    return [mk(f, 0, 0, 0), mk(f, 1, 0, 0), mk(f, 0, 0, 1), mk(f, 1, 0, (1 << F) - 1), mk(f, 0, 1, 0),
            mk(f, 0, emax - 1, (1 << F) - 1), mk(f, 1, emax - 1, (1 << F) - 1), mk(f, 0, emax, 0), mk(f, 1, emax, 0),
            mk(f, 0, emax, q), mk(f, 1, emax, q | 0x15), mk(f, 0, emax, 0x2b), mk(f, 1, emax, 1),
            mk(f, 0, emax >> 1, 0), mk(f, 1, emax >> 1, 0), mk(f, 0, emax >> 1, q), mk(f, 0, (emax >> 1) + 1, q),
            mk(f, 0, (emax >> 1) + 1, 0), mk(f, 0, (emax >> 1) - 1, 0)]

def frac_rand(F):
    k = random.random()
    if k < 0.15: return (1 << F) - 1
    if k < 0.3: return 1 << random.randrange(F)
    if k < 0.4: return 0
    if k < 0.5: return (1 << F) - 1 - random.randrange(8)
    return random.getrandbits(F)

def value(f):
    E, F = FMT[f]
    emax = (1 << E) - 1
    bias = emax >> 1
    k = random.random()
    if k < 0.12: return random.choice(special(f))
    sign = random.getrandbits(1)
    if k < 0.2: exp = 0
    elif k < 0.3: exp = random.randrange(1, 4)
    elif k < 0.4: exp = random.randrange(emax - 4, emax)
    elif k < 0.75: exp = bias + random.randrange(-8, 9)
    else: exp = random.randrange(0, emax)
    return mk(f, sign, exp, frac_rand(F))

def fbits_value(f, scale):
    """a value near an integer boundary such as 2^31 or 2^63, possibly with a fractional part"""
    x = random.choice([0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 0.75, -0.75, 1.0, 3.0]) + random.choice([0, 0, 1, -1, 7])
    if random.random() < 0.5:
        p = random.choice([31, 32, 63, 64, 15, 16, 53, 24])
        x = random.choice([1, -1]) * (2.0 ** p) * random.choice([1, 1 - 2 ** -10, 1 - 2 ** -24, 1 - 2**-53, 1 + 2**-23, 0.5, 2])
    x = x / (2.0 ** scale)
    if f == 'd': return struct.unpack('<Q', struct.pack('<d', x))[0]
    try:
        return struct.unpack('<I', struct.pack('<f', x))[0]
    except OverflowError:
        return value(f)

def integer(w):
    bits = 32 if w == 'w' else 64
    k = random.random()
    if k < 0.2: v = random.choice([0, 1, (1 << bits) - 1, 1 << (bits - 1), (1 << (bits - 1)) - 1, 3, 5])
    elif k < 0.5: v = (1 << random.randrange(bits)) + random.randrange(-3, 4)
    elif k < 0.7: v = random.getrandbits(random.randrange(1, bits + 1))
    else: v = random.getrandbits(bits)
    return v & ((1 << bits) - 1)

def fpcr(name=''):
    r = random.randrange(4) << 22
    if name in ('fcvt_hs', 'fcvt_sh', 'fcvt_hd', 'fcvt_dh', 'fcvtn_4h', 'fcvtn2_8h', 'fcvtl_4s', 'fcvtl2_4s') \
            and random.random() < 0.4:
        r |= 1 << 26
    if random.random() < 0.3: r |= 1 << 24
    if random.random() < 0.25: r |= 1 << 25
    return r

INT_EDGES = {'w': [0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x7fffffc0, 0x01000001, 0xfeffffff],
             'x': [0, 1, (1 << 64) - 1, 1 << 63, (1 << 63) - 1, (1 << 53) + 1, (1 << 64) - (1 << 53) - 1, 0x01000001]}

def main():
  for name, fmt, kind, body, nin in OPS:
      if fmt[0] == 'i':
          # Every rounding mode on the integers whose conversions round or sit at the ends of the range.
          for v in INT_EDGES[fmt[1]]:
              for mode in range(4):
                  print(name, hex(mode << 22)[2:], hex(v)[2:], 0, 0)
      scale = 5 if 'fix5' in name else 32 if 'fix32' in name else 64 if 'fix64' in name else 0
      for i in range(N):
          if fmt[0] == 'i':
              a, b, c = integer(fmt[1]), 0, 0
          else:
              if kind in ('w', 'x') or (kind == 'f' and 'fcvt' in name and name[4] in 'npmza') and random.random() < 0.6:
                  a = fbits_value(fmt, scale)
              else:
                  a = value(fmt)
              b, c = value(fmt), value(fmt)
              if nin >= 2 and random.random() < 0.25:
                  # nearly equal magnitudes: cancellation and ties
                  b = a ^ random.getrandbits(3) ^ (random.getrandbits(1) << (FMT[fmt][0] + FMT[fmt][1]))
              if nin == 3 and random.random() < 0.3 and fmt == 'd':
                  # c close to -(a*b) to provoke massive cancellation in the fused forms
                  x = struct.unpack('<d', struct.pack('<Q', a))[0]; y = struct.unpack('<d', struct.pack('<Q', b))[0]
                  try:
                      p = -(x * y)
                      c = struct.unpack('<Q', struct.pack('<d', p))[0] ^ random.getrandbits(2)
                  except OverflowError:
                      pass
          print(name, hex(fpcr(name))[2:], hex(a)[2:], hex(b)[2:], hex(c)[2:])

if __name__ == '__main__':
    main()
