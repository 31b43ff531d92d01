sub init()
    m.placeholder = m.top.findNode("placeholder")
    m.poster = m.top.findNode("poster")
    m.headline = m.top.findNode("headline")
    m.caption = m.top.findNode("caption")
    m.liveBadge = m.top.findNode("liveBadge")
    ' Decode at the device's real pixel size (320x180 on an HD device).
    spec = NewsdeskUiSpec(CreateObject("roDeviceInfo").GetUIResolution().name)
    m.poster.loadWidth = spec.poster.width
    m.poster.loadHeight = spec.poster.height
end sub

sub onContentChanged()
    content = m.top.itemContent
    if content = invalid then return
    m.headline.text = content.title
    ' A title-card poster shows the headline itself: no caption over it.
    titleCard = false
    if content.hasField("titleCard") then titleCard = content.titleCard = true
    m.headline.visible = not titleCard
    m.caption.visible = not titleCard
    m.placeholder.color = NewsdeskColor(content.placeholderColor, "0x202830FF")
    m.poster.uri = content.HDPosterUrl
    m.liveBadge.visible = content.kind = "live"
end sub

sub onFocusChanged()
    m.caption.opacity = 0.7 + 0.3 * m.top.focusPercent
end sub
