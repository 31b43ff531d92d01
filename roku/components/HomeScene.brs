sub init()
    m.rows = m.top.findNode("rows")
    m.provider = m.top.findNode("provider")
    m.status = m.top.findNode("status")
    m.headline = m.top.findNode("headline")
    m.tickerLine = m.top.findNode("tickerLine")
    m.ticker = m.top.findNode("ticker")
    m.detail = m.top.findNode("detail")
    m.player = m.top.findNode("player")
    m.breaking = m.top.findNode("breaking")
    m.breakingText = m.top.findNode("breakingText")
    m.breakingTimer = m.top.findNode("breakingTimer")
    m.breakingTimer.observeField("fire", "onBreakingExpired")

    ' The RowList's content lives as long as the app: new versions are merged
    ' into it (NewsdeskMergeRows), so rows refresh in place and focus stays.
    m.content = CreateObject("roSGNode", "ContentNode")

    m.rows.observeField("rowItemFocused", "onItemFocused")
    m.rows.observeField("rowItemSelected", "onItemSelected")
    m.detail.observeField("playRequested", "onPlayRequested")
    m.player.observeField("state", "onPlayerState")
    m.rows.setFocus(true)

    config = NewsdeskConfig(CreateObject("roAppInfo"))
    if not config.ok then
        m.headline.text = "This channel is not configured"
        m.tickerLine.text = config.error
        return
    end if
    m.headline.text = "Loading the news..."
    m.task = CreateObject("roSGNode", "FeedTask")
    m.task.feedUrl = config.feedUrl
    m.task.pollSeconds = config.pollSeconds
    m.task.uiResolution = CreateObject("roDeviceInfo").GetUIResolution().name
    m.task.observeField("content", "onFeedContent")
    m.task.observeField("status", "onFeedStatus")
    m.task.observeField("breaking", "onBreaking")
    m.task.control = "run"
end sub

sub onFeedContent()
    incoming = m.task.content
    if incoming = invalid then return
    NewsdeskMergeRows(m.content, incoming)
    if m.rows.content = invalid then m.rows.content = m.content
    m.provider.text = m.content.provider
    m.ticker.text = m.content.tickerText
    onItemFocused()
end sub

' A new version's alert: shown until its expiresAt by this device's clock.
sub onBreaking()
    alert = m.task.breaking
    if alert = invalid or alert.id = invalid then alert = invalid
    m.breakingTimer.control = "stop"
    left = NewsdeskBreakingSecondsLeft(alert, CreateObject("roDateTime").AsSeconds())
    if left <= 0 then
        m.breaking.visible = false
        return
    end if
    m.breakingText.text = alert.text
    m.breaking.visible = true
    m.breakingTimer.duration = left
    m.breakingTimer.control = "start"
end sub

sub onBreakingExpired()
    m.breaking.visible = false
end sub

sub onFeedStatus()
    m.status.text = m.task.status
end sub

function focusedItem() as dynamic
    position = m.rows.rowItemFocused
    if position = invalid or position.Count() < 2 then return invalid
    row = m.content.getChild(position[0])
    if row = invalid then return invalid
    return row.getChild(position[1])
end function

sub onItemFocused()
    item = focusedItem()
    if item = invalid then return
    m.headline.text = item.title
    m.tickerLine.text = item.ticker
end sub

sub onItemSelected()
    position = m.rows.rowItemSelected
    row = m.content.getChild(position[0])
    if row = invalid then return
    item = row.getChild(position[1])
    if item = invalid then return
    if item.kind = "live" then
        play(item)
    else
        m.detail.content = item
        m.detail.visible = true
        m.detail.setFocus(true)
    end if
end sub

sub onPlayRequested()
    play(m.detail.playRequested)
end sub

sub play(item as object)
    m.player.content = item
    m.player.visible = true
    m.player.setFocus(true)
    m.player.control = "play"
end sub

sub stopPlayer()
    m.player.control = "stop"
    m.player.visible = false
    if m.detail.visible then
        m.detail.setFocus(true)
    else
        m.rows.setFocus(true)
    end if
end sub

sub onPlayerState()
    state = m.player.state
    if state = "finished" or state = "error" then stopPlayer()
end sub

function onKeyEvent(key as string, press as boolean) as boolean
    if not press then return false
    if key = "back" then
        if m.player.visible then
            stopPlayer()
            return true
        end if
        if m.detail.visible then
            m.detail.visible = false
            m.rows.setFocus(true)
            return true
        end if
        return false
    end if
    if key = "replay" and m.task <> invalid then
        m.task.refreshNow = true
        return true
    end if
    return false
end function
