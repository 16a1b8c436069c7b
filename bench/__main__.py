"""``make bench``: every benchmark, one after the other (about 30 minutes on 2 cores; the
end-to-end run takes most of it)."""

import sys

from bench import attribution, boilerplate, delivery, duplicates, e2e, speed, startup

sys.argv = sys.argv[:1]
for benchmark in (boilerplate, duplicates, attribution, speed, startup, delivery, e2e):
    benchmark.main()
    print()
