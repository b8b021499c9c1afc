"""The custom menu: 找岗位 / 政策问答 / 我的 (报名进度, 个人信息, 单位服务). Keys route in intents.yaml."""

from __future__ import annotations

from typing import Any

MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "找岗位", "key": "FIND_POSITIONS"},
        {"type": "click", "name": "政策问答", "key": "POLICY_QA"},
        {
            "name": "我的",
            "sub_button": [
                {"type": "click", "name": "报名进度", "key": "MY_APPLICATIONS"},
                {"type": "click", "name": "个人信息", "key": "MY_PROFILE"},
                {"type": "click", "name": "单位服务", "key": "UNIT_SERVICES"},
            ],
        },
    ]
}
