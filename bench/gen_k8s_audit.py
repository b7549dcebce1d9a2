#!/usr/bin/env python3
"""Kubernetes audit benchmark data shaped like the corpus: the audit.k8s.io Events of
../shared/corpus/k8s-audit (falco trace files: pod creates with full Pod objects, exec/attach, RBAC, secrets,
configmaps, namespaces, deployments) repeated with varied values, one Event per line, until the file reaches its size.

usage: gen_k8s_audit.py OUTFILE [--mb N] [--corpus DIR]
  default 30 MB; corpus DIR default $STRATA_CORPUS/k8s-audit, else ../shared/corpus/k8s-audit

Varied per copy: auditID, every *Timestamp / timestamp (a clock moving 1-40 ms per event), object and owner uids,
metadata / objectRef names (a numeric suffix), namespaces, source IPs, user names of service accounts, and the
resourceVersion. Structure, field order and everything else stay as in the corpus event. Deterministic (seeded).
Writes outside the repository only (the corpus stays in ../shared/corpus).
"""
import datetime, json, os, random, sys

out = sys.argv[1]
mb = int(sys.argv[sys.argv.index('--mb') + 1]) if '--mb' in sys.argv else 30
here = os.path.dirname(os.path.abspath(__file__))
corpus = sys.argv[sys.argv.index('--corpus') + 1] if '--corpus' in sys.argv else os.path.join(
    os.environ.get('STRATA_CORPUS', os.path.join(here, '..', '..', 'shared', 'corpus')), 'k8s-audit')
rnd = random.Random(7)
NAMESPACES = ['default', 'prod', 'shop', 'payments', 'kube-system', 'monitoring', 'ci']


def load(root):
    events = []
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith('.json'):
                continue
            with open(os.path.join(d, f), encoding='utf-8') as fh:
                for line in fh:
                    line = line.strip()
                    if line:
                        ev = json.loads(line)
                        if isinstance(ev, dict) and ev.get('kind') == 'Event':
                            events.append(ev)
    if not events:
        sys.exit('no audit Events under ' + root)
    return events


def uuid():
    return '%08x-%04x-4%03x-%04x-%012x' % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(12),
                                           0x8000 | rnd.getrandbits(14), rnd.getrandbits(48))


def vary(v, key, parent, ctx):
    if isinstance(v, dict):
        return {k: vary(x, k, key, ctx) for k, x in v.items()}
    if isinstance(v, list):
        if key == 'sourceIPs':
            return [ctx['ip']] + [vary(x, None, key, ctx) for x in v[1:]]
        return [vary(x, None, key, ctx) for x in v]
    if not isinstance(v, str):
        return v
    if key == 'auditID':
        return ctx['audit_id']
    if key and (key.endswith('Timestamp') or key == 'timestamp'):
        fraction = '.' in v
        return ctx['t'].strftime('%Y-%m-%dT%H:%M:%S') + ('.%06dZ' % ctx['t'].microsecond if fraction else 'Z')
    if key == 'uid':
        return ctx['uids'].setdefault(v, uuid())
    if key == 'namespace':
        return ctx['ns']
    if key == 'name' and parent in ('metadata', 'objectRef'):
        return '%s-%d' % (v, ctx['n'])
    if key == 'username' and v.startswith('system:serviceaccount:'):
        return 'system:serviceaccount:%s:%s' % (ctx['ns'], v.rsplit(':', 1)[1])
    if key == 'resourceVersion':
        return str(ctx['rv'])
    if key == 'requestURI' and '/namespaces/' in v:
        head, rest = v.split('/namespaces/', 1)
        return head + '/namespaces/' + ctx['ns'] + rest[rest.find('/'):] if '/' in rest else head + '/namespaces/' + ctx['ns']
    return v


def main():
    events = load(corpus)
    limit = mb * 1000 * 1000
    t = datetime.datetime(2024, 6, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
    written = n = 0
    with open(out, 'w', encoding='utf-8') as f:
        while written < limit:
            ev = events[n % len(events)]
            t += datetime.timedelta(microseconds=rnd.randint(1000, 40000))
            ctx = {'audit_id': uuid(), 't': t, 'uids': {}, 'ns': rnd.choice(NAMESPACES), 'n': n, 'rv': 100000 + n,
                   'ip': '10.%d.%d.%d' % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))}
            line = json.dumps(vary(ev, None, None, ctx), separators=(',', ':')) + '\n'
            f.write(line)
            written += len(line.encode('utf-8'))
            n += 1
    print('%s: %d events, %d bytes (from %d corpus events)' % (out, n, written, len(events)))


main()
