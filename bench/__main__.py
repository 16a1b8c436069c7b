"""``make bench``: every benchmark, one after the other."""

import sys

from bench import attribution, boilerplate, duplicates

sys.argv = sys.argv[:1]
boilerplate.main()
print()
duplicates.main()
print()
attribution.main()
