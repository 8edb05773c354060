# Vector ops: (name, lane format, asm) with inputs v1, v2, v3, accumulator/destination v0.
VOPS = []
def add(name, fmt, body):
    VOPS.append((name, fmt, body))
for t, f in [('2s', 's'), ('4s', 's'), ('2d', 'd')]:
    for op in ['fadd', 'fsub', 'fmul', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fmulx', 'frecps', 'frsqrts', 'fabd',
               'fmla', 'fmls', 'faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp', 'fcmeq', 'fcmge', 'fcmgt', 'facge', 'facgt']:
        add(f'{op}_{t}', f, f'{op} v0.{t}, v1.{t}, v2.{t}')
    for op in ['fabs', 'fneg', 'fsqrt', 'frecpe', 'frsqrte', 'frintn', 'frintp', 'frintm', 'frintz', 'frinta', 'frintx', 'frinti',
               'fcvtns', 'fcvtnu', 'fcvtps', 'fcvtpu', 'fcvtms', 'fcvtmu', 'fcvtzs', 'fcvtzu', 'fcvtas', 'fcvtau']:
        add(f'{op}_{t}', f, f'{op} v0.{t}, v1.{t}')
    for op in ['scvtf', 'ucvtf']:
        add(f'{op}_{t}', 'i' + f, f'{op} v0.{t}, v1.{t}')
        add(f'{op}_{t}_fix', 'i' + f, f'{op} v0.{t}, v1.{t}, #7')
    for op in ['fcvtzs', 'fcvtzu']:
        add(f'{op}_{t}_fix', f, f'{op} v0.{t}, v1.{t}, #{3 if f == "s" else 40}')
    for op in ['fcmeq', 'fcmge', 'fcmgt', 'fcmle', 'fcmlt']:
        add(f'{op}z_{t}', f, f'{op} v0.{t}, v1.{t}, #0.0')
    for op in ['fmla', 'fmls', 'fmul', 'fmulx']:
        for idx in ([0, 3] if f == 's' else [0, 1]):
            add(f'{op}_elem{idx}_{t}', f, f'{op} v0.{t}, v1.{t}, v2.{f}[{idx}]')
for f in 'sd':
    for op in ['fmla', 'fmls', 'fmul', 'fmulx']:
        add(f'{op}_elem_{f}', f, f'{op} {f}0, {f}1, v2.{f}[1]')
    for op in ['faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp']:
        add(f'{op}_scalar_{f}', f, f'{op} {f}0, v1.2{f}')
    for op in ['scvtf', 'ucvtf']:
        add(f'{op}_scalar_fix_{f}', 'i' + f, f'{op} {f}0, {f}1, #9')
    for op in ['fcvtzs', 'fcvtzu']:
        add(f'{op}_scalar_fix_{f}', f, f'{op} {f}0, {f}1, #9')
for op in ['fmaxv', 'fminv', 'fmaxnmv', 'fminnmv']:
    add(op, 's', f'{op} s0, v1.4s')
add('fcvtn_4h', 's', 'fcvtn v0.4h, v1.4s')
add('fcvtn2_8h', 's', 'fcvtn2 v0.8h, v1.4s')
add('fcvtn_2s', 'd', 'fcvtn v0.2s, v1.2d')
add('fcvtn2_4s', 'd', 'fcvtn2 v0.4s, v1.2d')
add('fcvtxn_2s', 'd', 'fcvtxn v0.2s, v1.2d')
add('fcvtxn2_4s', 'd', 'fcvtxn2 v0.4s, v1.2d')
add('fcvtl_4s', 'h', 'fcvtl v0.4s, v1.4h')
add('fcvtl2_4s', 'h', 'fcvtl2 v0.4s, v1.8h')
add('fcvtl_2d', 's', 'fcvtl v0.2d, v1.2s')
add('fcvtl2_2d', 's', 'fcvtl2 v0.2d, v1.4s')
add('fmov_4s', 's', 'fmov v0.4s, #-1.25')
add('fmov_2s', 's', 'fmov v0.2s, #31.0')
add('fmov_2d', 'd', 'fmov v0.2d, #0.1875')
add('frecpx_s', 's', 'frecpx s0, s1')
add('frecpx_d', 'd', 'frecpx d0, d1')
