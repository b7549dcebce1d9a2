"""What the scenario generators (make_*_scenario.py beside this file) share: timestamps of the scenario's day in the
forms the producers write, and deterministic files (gzip members with mtime 0 and no name, JSON lines without spaces).
Usage: B = BundleFiles(DAY, OUT); ts, tus, tsec, write, jl = B.ts, B.tus, B.tsec, B.write, B.jl"""
import calendar, gzip, io, json, os, time


class BundleFiles:
    def __init__(self, day, out):
        self.day, self.out = day, out

    def epoch(self, hms, frac_ns=0):  # seconds since the epoch, a float
        return calendar.timegm(time.strptime(self.day + "T" + hms, "%Y-%m-%dT%H:%M:%S")) + frac_ns / 1e9

    def ts(self, hms, frac_ns=0):  # RFC 3339 with nanoseconds (CRI logs, Falco, Tetragon, CRI-O)
        return "%sT%s.%09dZ" % (self.day, hms, frac_ns)

    def tus(self, hms, frac_us=0):  # microseconds (apiserver audit: metav1.MicroTime)
        return "%sT%s.%06dZ" % (self.day, hms, frac_us)

    def tsec(self, hms):  # seconds (metav1.Time)
        return "%sT%sZ" % (self.day, hms)

    def write(self, rel, data, gz=False):
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        raw = data.encode() if isinstance(data, str) else data
        if gz:
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
                g.write(raw)
            raw = buf.getvalue()
        with open(path, "wb") as f:
            f.write(raw)

    @staticmethod
    def jl(records):
        return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
