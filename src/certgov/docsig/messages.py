"""Messages for people: every reason code, indication and sub-indication in English and
Chinese (``en``, ``zh``). Templates take the reason's parameters by name; a parameter a
template names but the reason lacks shows as ``?``. Adapters render reports with
:func:`render_reason` and the label dictionaries; codes added by a registry evaluator fall
back to the code and its parameters until they get templates of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certgov.docsig.indications import Indication, Reason, ReasonCode, SubIndication

__all__ = [
    "INDICATION_LABELS",
    "LANGUAGES",
    "MESSAGES",
    "SUB_INDICATION_LABELS",
    "render_reason",
]

LANGUAGES = ("en", "zh")

INDICATION_LABELS: Mapping[Indication, Mapping[str, str]] = {
    Indication.TOTAL_PASSED: {"en": "passed", "zh": "验证通过"},
    Indication.TOTAL_FAILED: {"en": "failed", "zh": "验证失败"},
    Indication.INDETERMINATE: {"en": "indeterminate", "zh": "无法确定"},
}

SUB_INDICATION_LABELS: Mapping[SubIndication, Mapping[str, str]] = {
    SubIndication.FORMAT_FAILURE: {
        "en": "the signature cannot be processed",
        "zh": "签名格式无法处理",
    },
    SubIndication.HASH_FAILURE: {"en": "the signed content was changed", "zh": "签名内容已被篡改"},
    SubIndication.SIG_CRYPTO_FAILURE: {
        "en": "the signature value does not verify",
        "zh": "签名值验证失败",
    },
    SubIndication.REVOKED: {"en": "the certificate was revoked", "zh": "证书已被撤销"},
    SubIndication.EXPIRED: {"en": "signed after the certificate expired", "zh": "签名时证书已过期"},
    SubIndication.NOT_YET_VALID: {
        "en": "signed before the certificate was valid",
        "zh": "签名时证书尚未生效",
    },
    SubIndication.SIG_CONSTRAINTS_FAILURE: {
        "en": "the signature does not meet the constraints",
        "zh": "签名不满足约束条件",
    },
    SubIndication.CHAIN_CONSTRAINTS_FAILURE: {
        "en": "the certificate chain does not meet the constraints",
        "zh": "证书链不满足约束条件",
    },
    SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE: {
        "en": "the certificate chain is faulty",
        "zh": "证书链存在错误",
    },
    SubIndication.CRYPTO_CONSTRAINTS_FAILURE: {
        "en": "an algorithm is too weak",
        "zh": "算法强度不足",
    },
    SubIndication.NO_SIGNING_CERTIFICATE_FOUND: {
        "en": "the signer's certificate is missing",
        "zh": "找不到签名者证书",
    },
    SubIndication.NO_CERTIFICATE_CHAIN_FOUND: {
        "en": "no chain to a trusted certificate",
        "zh": "无法构建到可信证书的证书链",
    },
    SubIndication.REVOKED_NO_POE: {
        "en": "revoked, and no proof the signature came first",
        "zh": "证书已撤销，且无签名先于撤销的证明",
    },
    SubIndication.REVOKED_CA_NO_POE: {
        "en": "a CA certificate was revoked, and no proof the signature came first",
        "zh": "CA 证书已撤销，且无签名先于撤销的证明",
    },
    SubIndication.OUT_OF_BOUNDS_NO_POE: {
        "en": "outside the certificate's validity, and no proof of the signing time",
        "zh": "超出证书有效期，且无签名时间证明",
    },
    SubIndication.OUT_OF_BOUNDS_NOT_REVOKED: {
        "en": "outside the certificate's validity",
        "zh": "超出证书有效期",
    },
    SubIndication.NOT_YET_VALID_NO_POE: {
        "en": "the certificate was not yet valid at the claimed time",
        "zh": "声称的签名时间早于证书生效时间",
    },
    SubIndication.TIMESTAMP_ORDER_FAILURE: {
        "en": "timestamps are out of order",
        "zh": "时间戳顺序错误",
    },
    SubIndication.NO_POE: {"en": "no proof of existence", "zh": "无存在性证明"},
    SubIndication.TRY_LATER: {
        "en": "revocation status not yet available: try later",
        "zh": "暂时无法获得撤销状态，请稍后再试",
    },
    SubIndication.SIGNED_DATA_NOT_FOUND: {
        "en": "the signed content is missing",
        "zh": "缺少被签名的内容",
    },
}

#: Reason code → {language: template}.
MESSAGES: Mapping[str, Mapping[str, str]] = {
    ReasonCode.CMS_MALFORMED: {
        "en": "{what} is not readable CMS/PKCS #7 SignedData: {error}",
        "zh": "无法读取 CMS/PKCS #7 签名数据：{error}",
    },
    ReasonCode.CMS_NOT_SIGNED_DATA: {
        "en": "the CMS holds content of type {content_type}, not SignedData",
        "zh": "CMS 内容类型为 {content_type}，不是签名数据（SignedData）",
    },
    ReasonCode.CMS_NO_SIGNER: {
        "en": "the SignedData has no signer",
        "zh": "签名数据中没有签名者信息",
    },
    ReasonCode.CMS_SEVERAL_SIGNERS: {
        "en": "the timestamp token has {count} signers, expected one",
        "zh": "时间戳令牌有 {count} 个签名者，应只有一个",
    },
    ReasonCode.CMS_TOO_MANY_CERTIFICATES: {
        "en": "the CMS embeds {count} certificates, more than the {limit} allowed",
        "zh": "CMS 内嵌 {count} 张证书，超过允许的 {limit} 张",
    },
    ReasonCode.CMS_TOO_DEEP: {
        "en": "the CMS is nested deeper than {limit} levels",
        "zh": "CMS 嵌套层级超过 {limit} 层",
    },
    ReasonCode.CMS_TOO_LARGE: {
        "en": "the CMS is {size} bytes, more than the {limit} allowed",
        "zh": "CMS 大小为 {size} 字节，超过允许的 {limit} 字节",
    },
    ReasonCode.SIGNED_ATTRIBUTES_MALFORMED: {
        "en": "the signed attributes are malformed: {error}",
        "zh": "签名属性格式错误：{error}",
    },
    ReasonCode.CONTENT_TYPE_MISMATCH: {
        "en": "the signed content type {signed} is not the encapsulated content type {encapsulated}",
        "zh": "签名属性中的内容类型 {signed} 与封装内容类型 {encapsulated} 不一致",
    },
    ReasonCode.MESSAGE_DIGEST_MISSING: {
        "en": "the signed attributes lack the message digest",
        "zh": "签名属性中缺少消息摘要",
    },
    ReasonCode.UNSUPPORTED_DIGEST: {
        "en": "digest algorithm {algorithm} is not supported",
        "zh": "不支持摘要算法 {algorithm}",
    },
    ReasonCode.UNSUPPORTED_SIGNATURE_ALGORITHM: {
        "en": "signature algorithm {algorithm} is not supported ({error})",
        "zh": "不支持签名算法 {algorithm}（{error}）",
    },
    ReasonCode.DETACHED_CONTENT_MISSING: {
        "en": "the signature is detached and the signed content was not supplied",
        "zh": "这是分离式签名，但未提供被签名的原文",
    },
    ReasonCode.BYTE_RANGE_MALFORMED: {
        "en": "the signature's /ByteRange {byte_range} is malformed: {error}",
        "zh": "签名的 /ByteRange {byte_range} 格式错误：{error}",
    },
    ReasonCode.BYTE_RANGE_OUTSIDE_FILE: {
        "en": "the signature's /ByteRange {byte_range} points outside the {size}-byte file",
        "zh": "签名的 /ByteRange {byte_range} 超出了 {size} 字节的文件范围",
    },
    ReasonCode.BYTE_RANGE_OVERLAP: {
        "en": "the signature's /ByteRange {byte_range} has overlapping ranges",
        "zh": "签名的 /ByteRange {byte_range} 存在重叠区间",
    },
    ReasonCode.BYTE_RANGE_GAP: {
        "en": "the signature's /ByteRange {byte_range} leaves bytes unsigned other than the signature itself: {detail}",
        "zh": "签名的 /ByteRange {byte_range} 除签名值外还留有未签名的字节：{detail}",
    },
    ReasonCode.SIGNATURE_DICTIONARY_MALFORMED: {
        "en": "the signature dictionary is malformed: {error}",
        "zh": "签名字典格式错误：{error}",
    },
    ReasonCode.MESSAGE_DIGEST_MISMATCH: {
        "en": "the {algorithm} digest of the signed content is {computed}, but the signature says {expected}: the content was changed after signing",
        "zh": "被签名内容的 {algorithm} 摘要为 {computed}，而签名中记录的是 {expected}：内容在签名后被修改",
    },
    ReasonCode.SIGNATURE_INVALID: {
        "en": "the {scheme} signature value does not verify: {detail}",
        "zh": "{scheme} 签名值验证失败（{problem}）",
    },
    ReasonCode.WEAK_DIGEST: {
        "en": "digest algorithm {algorithm} is too weak to rely on",
        "zh": "摘要算法 {algorithm} 强度不足，不可依赖",
    },
    ReasonCode.SIGNER_CERTIFICATE_NOT_FOUND: {
        "en": "the certificate the signer names is not in the signature",
        "zh": "签名中找不到签名者所指明的证书",
    },
    ReasonCode.SIGNER_CERTIFICATE_MALFORMED: {
        "en": "{count} embedded certificate(s) could not be read",
        "zh": "有 {count} 张内嵌证书无法读取",
    },
    ReasonCode.SIGNER_KEY_USAGE: {
        "en": "the signer's certificate does not allow signing (keyUsage: {key_usage})",
        "zh": "签名者证书的密钥用法不允许签名（keyUsage：{key_usage}）",
    },
    ReasonCode.SIGNER_EXPIRED_NO_POE: {
        "en": "the signer's certificate expired at {not_after}, before the validation time {validation_time}, and no timestamp proves the signature was made earlier",
        "zh": "签名者证书已于 {not_after} 过期，早于验证时间 {validation_time}，且没有时间戳证明签名在此之前完成",
    },
    ReasonCode.SIGNER_NOT_YET_VALID_NO_POE: {
        "en": "the signer's certificate is valid only from {not_before}, after the validation time {validation_time}",
        "zh": "签名者证书自 {not_before} 起才生效，晚于验证时间 {validation_time}",
    },
    ReasonCode.SIGNED_AFTER_EXPIRY: {
        "en": "the signature was made at {at} ({basis}), after the signer's certificate expired at {not_after}",
        "zh": "签名时间 {at}（{basis}）晚于签名者证书的过期时间 {not_after}",
    },
    ReasonCode.SIGNED_BEFORE_VALIDITY: {
        "en": "the signature was made at {at} ({basis}), before the signer's certificate became valid at {not_before}",
        "zh": "签名时间 {at}（{basis}）早于签名者证书的生效时间 {not_before}",
    },
    ReasonCode.CLAIMED_TIME_AFTER_VALIDATION: {
        "en": "the claimed signing time {claimed} is after the validation time {validation_time}; judged at the validation time",
        "zh": "声称的签名时间 {claimed} 晚于验证时间 {validation_time}，按验证时间判断",
    },
    ReasonCode.TIMESTAMP_INVALID: {
        "en": "the signature timestamp does not hold ({problem}) and is ignored",
        "zh": "签名时间戳无效（{problem}），已忽略",
    },
    ReasonCode.TIMESTAMP_UNTRUSTED: {
        "en": "the timestamp authority {tsa} is not trusted ({sub_indication}); the timestamp proves nothing",
        "zh": "时间戳机构 {tsa} 不可信（{sub_indication}），该时间戳不能作为证明",
    },
    ReasonCode.TIMESTAMP_BEFORE_CLAIMED_TIME: {
        "en": "the timestamp {proven} is earlier than the claimed signing time {claimed}",
        "zh": "时间戳时间 {proven} 早于声称的签名时间 {claimed}",
    },
    ReasonCode.MODIFIED_AFTER_SIGNING: {
        "en": "the document was changed after signing ({later_changes}): what it shows now is not what was signed",
        "zh": "文档在签名后被修改（{later_changes}）：当前显示的内容并非签名时的内容",
    },
    ReasonCode.COVERAGE_UNCLEAR: {
        "en": "what the signature covers is unclear ({extent}): {detail}",
        "zh": "无法确定签名覆盖的范围（{extent}）：{detail}",
    },
    ReasonCode.NO_CHAIN_TO_ANCHOR: {
        "en": "no chain from the certificate to a trusted certificate: {detail}",
        "zh": "无法从证书 {certificate} 构建到可信证书的证书链",
    },
    ReasonCode.CHAIN_PROBLEM: {
        "en": "the certificate chain has a problem ({problem}): {detail}",
        "zh": "证书链中的证书 {certificate} 存在问题（{problem}）",
    },
    ReasonCode.CHAIN_OUT_OF_VALIDITY: {
        "en": "a certificate of the chain is outside its validity at the time judged: {detail}",
        "zh": "证书链中的证书 {certificate} 在判断时间不在有效期内",
    },
    ReasonCode.REVOKED: {
        "en": "certificate {certificate} was revoked at {revoked_at}",
        "zh": "证书 {certificate} 已于 {revoked_at} 被撤销",
    },
    ReasonCode.REVOCATION_UNKNOWN: {
        "en": "the revocation status of {certificate} is unknown: {detail}",
        "zh": "无法获得证书 {certificate} 的撤销状态：{detail}",
    },
    ReasonCode.TRUST_EVALUATION_FAILED: {
        "en": "the trust evaluation failed: {error}",
        "zh": "信任评估失败：{error}",
    },
    ReasonCode.CA_NOT_FILED: {
        "en": "the chain of {certificate} leads neither to a CA certificate filed with the regulator (ECS-3.4) nor to a recognised foreign CA certificate (ECS-8)",
        "zh": "证书 {certificate} 的证书链既未指向已向主管部门备案的 CA 证书（ECS-3.4），也未指向经认可的境外 CA 证书（ECS-8）",
    },
    ReasonCode.CA_FILED_LATER: {
        "en": "CA certificate {ca_certificate} was filed at {filed_at}, after the time judged {at}: it was not a filed CA certificate then",
        "zh": "CA 证书 {ca_certificate} 于 {filed_at} 备案，晚于判断时间 {at}：当时它还不是已备案的 CA 证书",
    },
    ReasonCode.NO_LICENCE: {
        "en": "{ca} held no electronic certification service licence at {at}",
        "zh": "{ca} 在 {at} 未持有电子认证服务许可证",
    },
    ReasonCode.LICENCE_NOT_VALID: {
        "en": "licence {number} of {ca} was {status} at {at} (since {since})",
        "zh": "{ca} 的许可证 {number} 在 {at} 处于{status_zh}状态（自 {since} 起）",
    },
    ReasonCode.RECOGNITION_NOT_ACCEPTED: {
        "en": "the chain leads to a recognised foreign CA certificate, but the recognition does not cover this signature: {detail}",
        "zh": "证书链指向经认可的境外 CA 证书，但该认可不涵盖此签名：{detail}",
    },
    ReasonCode.REVOKED_NO_POE: {
        "en": "certificate {certificate} was revoked at {revoked_at} (reason: {reason}; {method} {source}), and no timestamp proves the signature was made before",
        "zh": "证书 {certificate} 已于 {revoked_at} 被撤销（原因：{reason}；{method} {source}），且没有时间戳证明签名先于撤销",
    },
    ReasonCode.REVOKED_AFTER_SIGNING: {
        "en": "certificate {certificate} was revoked at {revoked_at}, after the proven signing time {at}",
        "zh": "证书 {certificate} 于 {revoked_at} 被撤销，晚于已证明的签名时间 {at}",
    },
    ReasonCode.REVOCATION_NOT_CHECKED: {
        "en": "the revocation status of {certificate} was not checked: {detail}",
        "zh": "未检查证书 {certificate} 的撤销状态：{detail}",
    },
    ReasonCode.NO_SIGNATURE: {
        "en": "the document holds no signature",
        "zh": "该文档没有签名",
    },
}


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def render_reason(reason: Reason, language: str = "en") -> str:
    """``reason`` in ``language`` (``en`` or ``zh``; anything else gives English)."""
    templates = MESSAGES.get(reason.code)
    if templates is None:
        params = ", ".join(f"{key}={value}" for key, value in sorted(reason.params.items()))
        return f"{reason.code} ({params})" if params else reason.code
    template = templates.get(language, templates["en"])
    values = _Missing(
        {key: "?" if value is None else value for key, value in reason.params.items()}
    )
    return template.format_map(values)
