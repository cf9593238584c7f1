"""Generated annual lists of any size, for benchmarks and scale tests (deterministic by seed)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from ysdesk.domain.model import Project, Status
from ysdesk.services.progress import NullProgress, Progress
from ysdesk.store import Store

_SUBJECTS = (
    "概念验证中心",
    "中试熟化平台",
    "创新联合体",
    "孵化器",
    "应用场景",
    "人才公寓",
    "公共服务平台",
    "产业基金",
    "科普基地",
    "数据创新实验室",
    "创新街区",
    "技术转移机构",
    "重点实验室",
    "专精特新企业",
)
_VERBS = ("建设", "推进", "完善", "培育", "打造", "提升", "试点", "布局", "引进", "优化")
_PLACES = (
    "复兴岛",
    "杨浦滨江",
    "大创智",
    "环同济",
    "五角场",
    "长阳创谷",
    "湾谷",
    "大学路",
    "控江路",
)
_DEADLINES = (
    "{y}年12月底前",
    "{y}年6月",
    "{y}.9",
    "{y}年第三季度",
    "年底前",
    "年内",
    "{y}年3月—12月",
    "{y}年12月31日",
    "持续推进",
    "长期",
    "{n}年底前",
    "{n}年6月底前",
)
_STATUS_WEIGHTS = (
    (Status.DONE, 40),
    (Status.IN_PROGRESS, 35),
    (Status.LAGGING, 10),
    (Status.NOT_STARTED, 12),
    (Status.PAUSED, 3),
)


def synthetic_projects(store: Store, count: int, year: int, seed: int = 7) -> Iterator[Project]:
    """`count` plausible projects for `year` over the store's tasks, zones and units."""
    rng = random.Random(seed)
    tasks = [t.no for t in store.tasks()]
    zones = [z.name for z in store.zones()]
    units = [u.name for u in store.units()]
    statuses = [s for s, _ in _STATUS_WEIGHTS]
    weights = [w for _, w in _STATUS_WEIGHTS]
    for i in range(count):
        task_no = tasks[i % len(tasks)] if i < len(tasks) else rng.choice(tasks)
        chosen = rng.sample(units, rng.randint(1, 5))
        lead_count = 1 if len(chosen) == 1 or rng.random() < 0.85 else 2
        name = f"{rng.choice(_PLACES)}{rng.choice(_SUBJECTS)}{rng.choice(_VERBS)}（{i + 1}）"
        yield Project(
            id=None,
            year=year,
            code=f"{year}-{task_no:02d}-{i + 1:05d}",
            name=name,
            task_no=task_no,
            zones=tuple(rng.sample(zones, rng.choice((0, 1, 1, 1, 2)))),
            lead_units=tuple(chosen[:lead_count]),
            co_units=tuple(chosen[lead_count:]),
            goal=f"完成{name}年度建设任务，形成阶段性成果并报送区推进办。",
            deadline_text=rng.choice(_DEADLINES).format(y=year, n=year + 1),
            status=rng.choices(statuses, weights)[0],
            progress=f"已召开第{rng.randint(1, 9)}次推进会，完成年度任务{rng.randint(10, 100)}%。",
        )


def add_synthetic_list(
    store: Store, count: int, year: int, seed: int = 7, progress: Progress | None = None
) -> int:
    """Insert a generated list in one transaction; returns the number inserted."""
    progress = progress or NullProgress()
    progress.start(count, "生成项目")
    ids = store.insert_projects(synthetic_projects(store, count, year, seed), origin="生成数据")
    progress.finish()
    return len(ids)
