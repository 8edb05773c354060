# (name, input format, result kind, asm body using s1/d1.. as inputs and s0/d0/x0/w0 as output)
OPS = []
def add(name, fmt, kind, body, nin):
    OPS.append((name, fmt, kind, body, nin))
for p in 'sd':
    for op in ['fadd','fsub','fmul','fdiv','fmax','fmin','fmaxnm','fminnm','fnmul','fmulx','frecps','frsqrts','fabd']:
        add(f'{op}_{p}', p, 'f', f'{op} {p}0, {p}1, {p}2', 2)
    for op in ['fsqrt','frintn','frintp','frintm','frintz','frinta','frintx','frinti','frecpe','frsqrte','frecpx','fabs','fneg']:
        add(f'{op}_{p}', p, 'f', f'{op} {p}0, {p}1', 1)
    for op in ['fmadd','fmsub','fnmadd','fnmsub']:
        add(f'{op}_{p}', p, 'f', f'{op} {p}0, {p}1, {p}2, {p}3', 3)
    for op in ['fcmp','fcmpe']:
        add(f'{op}_{p}', p, 'nzcv', f'{op} {p}1, {p}2', 2)
        add(f'{op}z_{p}', p, 'nzcv', f'{op} {p}1, #0.0', 1)
    for op in ['fcmeq','fcmge','fcmgt','facge','facgt']:
        add(f'{op}_{p}', p, 'f', f'{op} {p}0, {p}1, {p}2', 2)
    for op in ['fcmeq','fcmge','fcmgt','fcmle','fcmlt']:
        add(f'{op}z_{p}', p, 'f', f'{op} {p}0, {p}1, #0.0', 1)
    for m in 'npmza':
        for u in 'su':
            for r in 'wx':
                add(f'fcvt{m}{u}_{r}{p}', p, r, f'fcvt{m}{u} {r}0, {p}1', 1)
            add(f'fcvt{m}{u}_{p}{p}', p, 'f', f'fcvt{m}{u} {p}0, {p}1', 1)
    for u in 'su':
        add(f'fcvtz{u}_w{p}_fix5', p, 'w', f'fcvtz{u} w0, {p}1, #5', 1)
        add(f'fcvtz{u}_w{p}_fix32', p, 'w', f'fcvtz{u} w0, {p}1, #32', 1)
        add(f'fcvtz{u}_x{p}_fix64', p, 'x', f'fcvtz{u} x0, {p}1, #64', 1)
        for r in 'wx':
            add(f'{u}cvtf_{p}{r}', 'i' + r, 'f', f'{u}cvtf {p}0, {r}1', 1)
            add(f'{u}cvtf_{p}{r}_fix5', 'i' + r, 'f', f'{u}cvtf {p}0, {r}1, #5', 1)
        add(f'{u}cvtf_{p}w_fix32', 'iw', 'f', f'{u}cvtf {p}0, w1, #32', 1)
        add(f'{u}cvtf_{p}{p}', 'i' + ('w' if p == 's' else 'x'), 'fv', f'{u}cvtf {p}0, {p}1', 1)
add('fcvt_ds', 's', 'f', 'fcvt d0, s1', 1)
add('fcvt_sd', 'd', 'f', 'fcvt s0, d1', 1)
add('fcvt_hs', 's', 'f', 'fcvt h0, s1', 1)
add('fcvt_sh', 'h', 'f', 'fcvt s0, h1', 1)
add('fcvt_hd', 'd', 'f', 'fcvt h0, d1', 1)
add('fcvt_dh', 'h', 'f', 'fcvt d0, h1', 1)
add('fcvtxn_sd', 'd', 'f', 'fcvtxn s0, d1', 1)
