"""Fair use under attack: another account's cheap query while 20 clients send heavy documents.

The attackers share one token and send, as fast as the server answers, the most expensive
document the cost limit lets through (aliased `search` counts, each a scan of the account's
persons); a 429 makes an attacker pause 50 ms. Meanwhile the victim, another account, sends
`{ sources { id } }` one at a time. Reported: the victim's p99 latency.
"""

from __future__ import annotations

import asyncio
import time

import httpx

SCANS = 24  # 24 × (1 + 100 totalCount + 300 search) + 1 ≈ 9,650 points, under the 10,000 limit
HEAVY = (
    "{ "
    + " ".join(f'a{i}: persons(first: 1, filter: {{search: "zq{i}"}}) {{ totalCount }}' for i in range(SCANS))
    + " }"
)
CHEAP = "{ sources { id } }"


async def _attack(client: httpx.AsyncClient, token: str, stop: asyncio.Event) -> None:
    while not stop.is_set():
        response = await client.post(
            "/graphql", json={"query": HEAVY}, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 429:
            await asyncio.sleep(0.05)


async def _measure(url: str, attacker: str, victim: str, clients: int, samples: int) -> list[float]:
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        attackers = [asyncio.create_task(_attack(client, attacker, stop)) for _ in range(clients)]
        await asyncio.sleep(1.0)  # let the attack fill the server
        latencies = []
        for _ in range(samples):
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": CHEAP}, headers={"Authorization": f"Bearer {victim}"}
            )
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            assert "errors" not in response.json(), response.text
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*attackers)
    return latencies


def victim_p99(url: str, attacker: str, victim: str, *, clients: int = 20, samples: int = 60) -> float:
    """Seconds: the 99th percentile of the victim's latencies while the attack runs."""
    latencies = sorted(asyncio.run(_measure(url, attacker, victim, clients, samples)))
    return latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
