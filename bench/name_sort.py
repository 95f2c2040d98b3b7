"""The manager's participant list selector sorted by name: CPU and wall time.

``python -m bench.name_sort --scale 10000 --db sqlite|postgres [--repeats 25]``

Times ``desk.selectors.participant_list.participant_page_for`` (name sort, page 1)
in process on the bench data set, with the per-process name sort keys cleared
before every request ("cold": every visible name decrypted, as before the keys were
held) and kept ("warm": the usual request). CPU time (``time.process_time``) is
reported beside wall time because it holds on a shared, busy machine.
"""

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeats", type=int, default=25)
    options = parser.parse_args()

    from bench import data

    data.configure(options.scale, options.db)
    import django

    django.setup()
    from accounts.models import User
    from desk.selectors import participant_list
    from participants.selectors import ParticipantFilters

    manifest = data.read_marker()
    if manifest is None:
        raise SystemExit("no bench data set: run python -m bench.data first")
    username = manifest["users"]["manager"]

    def timed(cold: bool) -> tuple[float, float, int]:
        cpu, wall = [], []
        for index in range(options.repeats + 3):
            if cold:
                participant_list._NAME_KEYS.clear()
            user = User.objects.get(username=username)
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            page = participant_list.participant_page_for(
                user=user, filters=ParticipantFilters(), page_number=1
            )
            [participant.family_name for participant in page.object_list]
            if index >= 3:
                cpu.append((time.process_time() - cpu_start) * 1000)
                wall.append((time.perf_counter() - wall_start) * 1000)
        return statistics.median(cpu), statistics.median(wall), page.paginator.count

    for cold in (True, False, True, False):
        cpu, wall, count = timed(cold)
        print(
            f"{options.db} {options.scale} {'cold' if cold else 'warm'}: "
            f"CPU {cpu:.2f} ms, wall {wall:.2f} ms (medians), {count} participants"
        )


if __name__ == "__main__":
    main()
