sub init()
    m.hero = m.top.findNode("hero")
    m.heroPlaceholder = m.top.findNode("heroPlaceholder")
    m.headline = m.top.findNode("headline")
    m.meta = m.top.findNode("meta")
    m.summary = m.top.findNode("summary")
    m.hint = m.top.findNode("hint")
    m.body = m.top.findNode("body")
    spec = NewsdeskUiSpec(CreateObject("roDeviceInfo").GetUIResolution().name)
    m.hero.loadWidth = spec.hero.width
    m.hero.loadHeight = spec.hero.height
    m.task = invalid
    m.top.observeField("focusedChild", "onFocusChanged")
end sub

' The screen takes focus as a whole; the body scrolls with up/down.
sub onFocusChanged()
    if m.top.hasFocus() then m.body.setFocus(true)
end sub

sub onContentChanged()
    content = m.top.content
    if content = invalid then return
    m.heroPlaceholder.color = NewsdeskColor(content.placeholderColor, "0x202830FF")
    m.hero.uri = content.heroUrl
    m.headline.text = content.title
    m.meta.text = content.category + "   " + content.releaseDate
    m.summary.text = content.description
    if content.url <> "" then
        m.hint.text = "Press OK to play the video"
    else
        m.hint.text = ""
    end if
    m.body.text = ""
    if m.task <> invalid then
        m.task.unobserveField("result")
        m.task.control = "stop"
        m.task = invalid
    end if
    if content.detailUrl <> "" then
        m.body.text = "Loading..."
        m.task = CreateObject("roSGNode", "DetailTask")
        m.task.url = content.detailUrl
        m.task.observeField("result", "onDetailLoaded")
        m.task.control = "run"
    end if
end sub

sub onDetailLoaded()
    result = m.task.result
    if result <> invalid and result.ok then
        text = result.text
        if result.byline <> "" then text = result.byline + Chr(10) + Chr(10) + text
        m.body.text = text
    else
        ' Keep what the card gave us; the summary is already on screen.
        m.body.text = "The full story is not available right now."
    end if
end sub

function onKeyEvent(key as string, press as boolean) as boolean
    if not press then return false
    content = m.top.content
    if (key = "OK" or key = "play") and content <> invalid then
        if content.url <> "" then
            m.top.playRequested = content
            return true
        end if
    end if
    return false
end function
