"""Settings of the load run's server (bench/load.py): the production settings plus the bench's
trivial logged-in page (bench_urls.py), the yardstick of the throughput ratio."""

from xiangzhi.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
