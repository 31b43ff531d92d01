' Newsdesk reference channel: the breaking news banner's data.
'
' Pure BrightScript (no UI, no networking), so it runs on the device and in
' the brs interpreter under tests/. Field names follow
' schemas/channel-feed.schema.json#/$defs/breaking. The banner shows until
' expiresAt by the device's own clock: TVs poll every few minutes, so the
' channel hides an expired alert itself rather than waiting for a feed
' without it.

' value: the feed's "breaking" member (anything). Returns invalid, or
' {id, text, storyId, detailUrl, expiresAtSeconds} with text on one line and
' at most 110 characters, detailUrl "" unless it is an http(s) URL.
function NewsdeskParseBreaking(value as dynamic) as dynamic
    if not ndIsObject(value) then return invalid
    if not ndIsNonEmptyString(value.id) or not ndIsNonEmptyString(value.text) then return invalid
    expires = NewsdeskIsoSeconds(value.expiresAt)
    if expires <= 0 then return invalid
    text = value.text.Replace(Chr(10), " ").Replace(Chr(13), " ").Trim()
    if Len(text) = 0 then return invalid
    if Len(text) > 110 then text = Left(text, 110)
    detailUrl = ""
    if ndIsHttpUrl(value.detailUrl) then detailUrl = value.detailUrl
    return {
        id: value.id
        text: text
        storyId: ndStringOr(value.storyId, "")
        detailUrl: detailUrl
        expiresAtSeconds: expires
    }
end function

' True while the alert is to be shown at nowSeconds (Unix time).
function NewsdeskBreakingVisible(alert as dynamic, nowSeconds as integer) as boolean
    if not ndIsObject(alert) then return false
    return nowSeconds < alert.expiresAtSeconds
end function

' Seconds until the banner must go (0 when it is already gone): the timer the
' scene sets to hide it.
function NewsdeskBreakingSecondsLeft(alert as dynamic, nowSeconds as integer) as integer
    if not NewsdeskBreakingVisible(alert, nowSeconds) then return 0
    return alert.expiresAtSeconds - nowSeconds
end function

' "2026-12-02T01:30:00Z", "...T01:30:00.250Z" or "...T02:30:00+01:00" to Unix
' seconds (fractions dropped); 0 when the text is not such a time.
function NewsdeskIsoSeconds(value as dynamic) as integer
    if not ndIsString(value) then return 0
    if Len(value) < 20 or Mid(value, 5, 1) <> "-" or Mid(value, 11, 1) <> "T" then return 0
    year = Val(Left(value, 4))
    month = Val(Mid(value, 6, 2))
    day = Val(Mid(value, 9, 2))
    hour = Val(Mid(value, 12, 2))
    minute = Val(Mid(value, 15, 2))
    second = Val(Mid(value, 18, 2))
    if year < 1970 or month < 1 or month > 12 or day < 1 or day > 31 then return 0
    rest = Mid(value, 20)
    if Left(rest, 1) = "." then
        i = 2
        while i <= Len(rest) and Instr(1, "0123456789", Mid(rest, i, 1)) > 0
            i = i + 1
        end while
        rest = Mid(rest, i)
    end if
    offset = 0
    if rest = "Z" then
        offset = 0
    else if Len(rest) = 6 and (Left(rest, 1) = "+" or Left(rest, 1) = "-") and Mid(rest, 4, 1) = ":" then
        offset = Val(Mid(rest, 2, 2)) * 3600 + Val(Mid(rest, 5, 2)) * 60
        if Left(rest, 1) = "-" then offset = -offset
    else
        return 0
    end if
    ' Days from 1970-01-01 (Howard Hinnant's days_from_civil).
    y = year
    if month <= 2 then y = y - 1
    era = Int(y / 400)
    yoe = y - era * 400
    mp = month + 9
    if month > 2 then mp = month - 3
    doy = Int((153 * mp + 2) / 5) + day - 1
    doe = yoe * 365 + Int(yoe / 4) - Int(yoe / 100) + doy
    days = era * 146097 + doe - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second - offset
end function
