"""Bilingual text of the sync commands and the app's sync indicator."""

from __future__ import annotations

from inspector.i18n import register

register(
    {
        "sync.enrolled": (
            "此设备已登记：{name}（{role}），服务器 {url}。令牌保存在 {path}。",
            "This device is enrolled as {name} ({role}) with {url}. Token kept in {path}.",
        ),
        "sync.rotated": (
            "设备令牌已更换，新令牌有效期至 {when}。",
            "Device token replaced; the new one is valid until {when}.",
        ),
        "sync.not_enrolled": (
            "此设备尚未登记。请运行 inspector sync enroll 服务器地址 登记码。",
            "This device is not enrolled: run inspector sync enroll URL CODE.",
        ),
        "sync.offline": (
            "离线：{reason}未同步的记录仍保存在本机。",
            "Offline: {reason} Unsynced records stay on this laptop.",
        ),
        "sync.failed": ("同步未完成：{reason}", "Sync did not finish: {reason}"),
        "sync.report": (
            "已推送 {pushed}，已拉取 {pulled}，冲突 {conflicts}，被拒 {rejected}，附件上传 {uploaded}。",
            "Pushed {pushed}, pulled {pulled}, conflicts {conflicts}, rejected {rejected}, attachments uploaded {uploaded}.",
        ),
        "sync.resynced": (
            "服务器已从备份恢复或同步位置失效：已重新发送 {resent} 条变更并重新完整拉取。",
            "The server was restored or the sync position expired: {resent} changes re-sent and a full pull done.",
        ),
        "sync.rejection": ("被拒：{what}", "Rejected: {what}"),
        "sync.warning": ("注意：{what}", "Warning: {what}"),
        "sync.stage.push": ("推送变更", "Pushing changes"),
        "sync.stage.pull": ("拉取更新", "Pulling updates"),
        "sync.stage.outcomes": ("确认服务器处理结果", "Collecting the server's results"),
        "sync.stage.upload": ("上传附件", "Uploading attachments"),
        "sync.exported": (
            "已将 {count} 条待同步变更写入 {path}（已签名）。",
            "Wrote {count} pending changes to {path} (signed).",
        ),
        "sync.nothing_to_export": ("没有待同步的变更。", "No pending changes to export."),
        "sync.imported": (
            "离线包已导入：应用 {applied}，重复 {duplicates}，冲突 {conflicts}，被拒 {rejected}。",
            "Bundle imported: applied {applied}, duplicates {duplicates}, conflicts {conflicts}, rejected {rejected}.",
        ),
        "sync.import.no_keys": (
            "本机还不能检查离线包：请先将本机登记为主管设备，并在有网络时同步一次以获取本集团的设备密钥"
            "（或用 --to-server 直接交给服务器）。未导入任何内容。",
            "This laptop cannot check bundles yet: enrol it as a supervisor's device and sync once on the network, "
            "so it gets the group's device keys (or hand the bundle to the server with --to-server). "
            "Nothing was imported.",
        ),
        "sync.import.wrong_group": (
            "离线包 {path} 来自另一个集团的服务器，不属于本机所在的集团。未导入任何内容。",
            "The bundle {path} comes from another group's server, not this laptop's group. Nothing was imported.",
        ),
        "sync.import.unknown_device": (
            "离线包 {path} 来自设备 {device}，本机所知的本集团设备中没有它（可能是其他集团的设备，或在本机上次同步后"
            "才登记）。请在有网络时同步一次再导入。未导入任何内容。",
            "The bundle {path} comes from device {device}, which this laptop does not know as one of its group's "
            "(another group's device, or one enrolled after this laptop last synced: sync once on the network and "
            "import again). Nothing was imported.",
        ),
        "sync.import.revoked": (
            "离线包 {path} 来自已被撤销的设备 {device}，未导入任何内容。",
            "The bundle {path} comes from the revoked device {device}. Nothing was imported.",
        ),
        "sync.import.tampered": (
            "离线包 {path} 写出后被改动过（签名与设备 {device} 的密钥不符）。未导入任何内容；请从检查员的笔记本重新导出。",
            "The bundle {path} was altered after it was written (its signature does not match device {device}'s "
            "key). Nothing was imported; export it again on the inspector's laptop.",
        ),
        "sync.import.wrong_key": (
            "离线包 {path} 的签名密钥不是设备 {device} 登记的密钥（可能是他人冒名写出）。未导入任何内容；"
            "请从检查员的笔记本重新导出。",
            "The bundle {path} is signed with a key that is not the one device {device} registered (someone else "
            "may have written it in its name). Nothing was imported; export it again on the inspector's laptop.",
        ),
        "sync.import.key_unknown": (
            "离线包 {path} 由设备 {device} 用它自己的密钥签名，但本机还没有这把密钥的公钥（该笔记本尚未向服务器登记"
            "密钥，或本机在那之后还没同步过）。请让该笔记本联网同步一次、再让本机同步一次后导入；"
            "或将离线包直接交给服务器（inspector sync import 文件 --to-server，或在服务器上运行 "
            "inspector server import-bundle 文件）。未导入任何内容。",
            "The bundle {path} is signed with device {device}'s own key, but this laptop does not have that key's "
            "public half yet (that laptop has not registered it with the server, or this laptop has not synced "
            "since). Sync that laptop once on the network, then this one, and import again; or hand the bundle to the "
            "server (inspector sync import FILE --to-server, or inspector server import-bundle FILE on the "
            "server). Nothing was imported.",
        ),
        "sync.import.legacy": (
            "离线包 {path}（设备 {device}）由旧版 inspector 写出，其旧式签名只有服务器能检查，本机已不再保存检查它所需的"
            "密钥。请将它直接交给服务器（inspector sync import 文件 --to-server，或在服务器上运行 "
            "inspector server import-bundle 文件）。未导入任何内容。",
            "The bundle {path} (device {device}) was written by an older inspector; its old kind of signature only "
            "the server can check, as this laptop no longer keeps the secret keys it needs. Hand it to the server "
            "(inspector sync import FILE --to-server, or inspector server import-bundle FILE on the server). "
            "Nothing was imported.",
        ),
        "sync.import.damaged_file": (
            "离线包 {path} 中的附件 {sha}… 已损坏。未导入任何内容。",
            "The attachment {sha}… in the bundle {path} is damaged. Nothing was imported.",
        ),
        "sync.import.missing_file": (
            "离线包 {path} 缺少记录所需的附件 {file}。未导入任何内容。",
            "The bundle {path} lacks the attachment {file} its records need. Nothing was imported.",
        ),
        "sync.import.superseded": (
            "已导入设备 {device} 对此{entity}较新的修改（第 {newer} 号）；这条较早的修改（第 {seq} 号）不再写入。",
            "A later change (no. {newer}) of this {entity} from device {device} was already imported; "
            "this older change (no. {seq}) is not written.",
        ),
        "sync.import.forbidden.change": (
            "离线包的设备 {device}（{role}）无权修改此{entity}。",
            "The bundle's device {device} ({role}) may not change this {entity}.",
        ),
        "sync.import.forbidden.delete": (
            "离线包的设备 {device}（{role}）无权删除此{entity}。",
            "The bundle's device {device} ({role}) may not delete this {entity}.",
        ),
        "sync.import.conflict.local_edit": (
            "本机对该{entity}的修改尚未同步，两个值都已保留，待主管处理。",
            "This laptop's own edit of the {entity} is not synced yet; both values are kept for the supervisor.",
        ),
        "sync.import.conflict.concurrent_edit": (
            "该{entity}在本机已有不同的值，两个值都已保留，待主管处理。",
            "The {entity} holds a different value on this laptop; both values are kept for the supervisor.",
        ),
        "sync.import.conflict.duplicate_key": (
            "本机已有编号相同的另一条{entity}，两个值都已保留，待主管处理。",
            "Another {entity} with the same key is on this laptop; both are kept for the supervisor.",
        ),
        "sync.import.conflict.edit_vs_delete": (
            "该{entity}在本机已被修改，而离线包删除了它；已保留，待主管处理。",
            "The {entity} was changed on this laptop while the bundle deletes it; kept for the supervisor.",
        ),
        "sync.imported_local": (
            "已将 {device} 的离线包导入本机：应用 {applied}，重复 {duplicates}，冲突 {conflicts}，被拒 {rejected}。"
            "下次同步时会交给服务器。",
            "Imported {device}'s bundle into this laptop: applied {applied}, duplicates {duplicates}, conflicts "
            "{conflicts}, rejected {rejected}. It goes to the server at this laptop's next sync.",
        ),
        "sync.import_failed": (
            "离线包未能导入（未应用任何变更，可再次导入）：{reason}",
            "The bundle could not be imported (nothing was applied; import it again): {reason}",
        ),
        "sync.imported_again": (
            "此离线包之前已导入过，本次没有新的变更。",
            "This bundle had been imported before; nothing new was applied.",
        ),
        "sync.forwarded": (
            "已将 {bundles} 个导入的离线包交给服务器（{changes} 条变更）。",
            "Handed {bundles} imported bundles to the server ({changes} changes).",
        ),
        "sync.forward_failed": (
            "导入的离线包（{device}）未被服务器接受：{reason}",
            "The server did not accept the imported bundle of {device}: {reason}",
        ),
        "conflicts.local": ("本机", "this laptop"),
        "conflicts.local_value": ("本机的值（服务器版本 {version}）", "This laptop's value (server version {version})"),
        "sync.bundle_unreadable": ("离线包 {path} 无法读取：{reason}", "The bundle {path} cannot be read: {reason}"),
        "sync.indicator.idle": ("同步：待推送 {pending}", "Sync: {pending} pending"),
        "sync.indicator.running": ("同步中…", "Syncing…"),
        "sync.indicator.done": (
            "同步完成：推送 {pushed}，拉取 {pulled}，冲突 {conflicts}，错误 {errors}",
            "Synced: pushed {pushed}, pulled {pulled}, conflicts {conflicts}, errors {errors}",
        ),
        "sync.indicator.offline": ("离线（待推送 {pending}）", "Offline ({pending} pending)"),
        "sync.indicator.revoked": (
            "设备已被撤销，同步停止（待推送 {pending}）",
            "Device revoked: sync stopped ({pending} pending)",
        ),
        "server.enrol_code": (
            "设备 {name}（{role}）的一次性登记码：{code}（{hours} 小时内有效）",
            "One-time enrolment code for {name} ({role}): {code} (valid {hours} hours)",
        ),
        "server.enrol_hint": (
            "在笔记本上运行：inspector sync enroll {url} {code}",
            "On the laptop run: inspector sync enroll {url} {code}",
        ),
        "server.root": (
            "服务器拒绝以 root 身份运行，请使用普通用户。",
            "The server refuses to run as root: use an unprivileged user.",
        ),
        "server.revoked": ("设备 {name} 已撤销。", "Device {name} revoked."),
        "server.no_device": ("找不到设备 {name}。", "No device named {name}."),
        "server.new_epoch": (
            "服务器新纪元：{epoch}。所有设备下次同步时会重新发送其变更。",
            "New server epoch {epoch}: every device re-sends its changes at its next sync.",
        ),
        "server.audit_ok": ("审计链完好：{count} 条。", "Audit chain intact: {count} entries."),
        "server.audit_broken": ("审计链在第 {seq} 条处断开：{reason}", "Audit chain broken at entry {seq}: {reason}"),
        "server.listening": (
            "同步服务器在 http://{host}:{port} 运行（数据库 {db}）。",
            "Sync server on http://{host}:{port} (database {db}).",
        ),
        "conflicts.title": ("同步冲突", "Sync conflicts"),
        "conflicts.empty": ("没有待处理的冲突。", "No conflicts to settle."),
        "conflicts.keep_server": ("保留服务器值", "Keep server value"),
        "conflicts.take_device": ("采用设备值", "Take device value"),
        "conflicts.server_value": ("服务器值（版本 {version}）", "Server value (version {version})"),
        "conflicts.device_value": ("设备值：{device}（{person}），{when}", "Device value: {device} ({person}), {when}"),
        "conflicts.settled": ("冲突已处理。", "Conflict settled."),
        "conflicts.waiting": (
            "服务器仍在处理已收到的 {count} 条更改，处理完后可能出现新的冲突。",
            "{count} received changes are still being applied; more conflicts may appear.",
        ),
        "conflicts.load_failed": ("无法读取冲突：{reason}", "Cannot load the conflicts: {reason}"),
        "conflicts.hint": (
            "k 保留服务器值 · d 采用设备值 · r 刷新",
            "k keep the server's value · d take the device's · r reload",
        ),
        "conflicts.col.record": ("记录", "Record"),
        "conflicts.col.device": ("设备", "Device"),
        "conflicts.col.when": ("收到时间", "Received"),
        "bind.conflicts.keep": ("保留服务器值", "Keep server"),
        "bind.conflicts.take": ("采用设备值", "Take device"),
        "bind.conflicts.reload": ("刷新", "Reload"),
        "bind.conflicts.sync": ("立即同步", "Sync now"),
        "mode.conflicts": ("同步与冲突", "Sync and conflicts"),
        "bind.conflicts.enrol": ("登记本机", "Enrol laptop"),
        "sync.enrol.prompt": (
            "服务器地址和登记码（如 http://10.0.0.5:8765 ABCD-EFGH-JKLM），或扫描登记二维码：",
            "Server address and code (e.g. http://10.0.0.5:8765 ABCD-EFGH-JKLM), or scan the enrolment QR code:",
        ),
        "sync.enrol.invalid": (
            "请输入以 http:// 开头的服务器地址和登记码。",
            "Enter the server address (http://…) and the code.",
        ),
        "sync.entity.inspection": ("检查", "inspection"),
        "sync.entity.answer": ("检查项答案", "answer"),
        "sync.entity.finding": ("隐患", "finding"),
        "sync.entity.rectificationorder": ("整改通知", "rectification order"),
        "sync.entity.rectificationevent": ("整改记录", "rectification event"),
        "sync.entity.person": ("人员", "person"),
        "sync.entity.team": ("班组", "team"),
        "sync.entity.checkpoint": ("检查点", "checkpoint"),
        "sync.entity.qualityfigure": ("质量指标", "quality figures"),
        "sync.entity.awarddecision": ("评优结果", "award decision"),
    }
)
