sub init()
    m.rows = m.top.findNode("rows")
    m.provider = m.top.findNode("provider")
    m.status = m.top.findNode("status")
    m.headline = m.top.findNode("headline")
    m.tickerLine = m.top.findNode("tickerLine")
    m.ticker = m.top.findNode("ticker")
    m.detail = m.top.findNode("detail")
    m.player = m.top.findNode("player")
    m.loadError = m.top.findNode("loadError")
    m.loadErrorText = m.top.findNode("loadErrorText")
    m.pendingLink = invalid

    ' The RowList's content lives as long as the app: new versions are merged
    ' into it (NewsdeskMergeRows), so rows refresh in place and focus stays.
    m.content = CreateObject("roSGNode", "ContentNode")

    m.rows.observeField("rowItemFocused", "onItemFocused")
    m.rows.observeField("rowItemSelected", "onItemSelected")
    m.detail.observeField("playRequested", "onPlayRequested")
    m.player.observeField("state", "onPlayerState")
    m.top.observeField("launchArgs", "onLaunchArgs")
    m.top.observeField("deepLink", "onDeepLink")
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
    m.task.observeField("loadError", "onLoadError")
    m.task.control = "run"
end sub

sub onLoadError()
    message = m.task.loadError
    m.loadError.visible = message <> ""
    m.loadErrorText.text = message
    if message = "" and m.rows.content = invalid then m.headline.text = "Loading the news..."
end sub

' Launched from Roku Search or the home screen (contentId + mediaType).
sub onLaunchArgs()
    followLink(m.top.launchArgs)
end sub

' A deep link while the channel runs (main.brs passes roInputEvent info).
sub onDeepLink()
    followLink(m.top.deepLink)
end sub

sub followLink(args as dynamic)
    link = NewsdeskDeepLink(args)
    if not link.ok then return
    m.pendingLink = link
    openPendingLink()
end sub

' Opens the linked story once the rows hold it; before the first feed the link
' waits, and a story no longer in the feed leaves the home screen as it is.
sub openPendingLink()
    if m.pendingLink = invalid or m.rows.content = invalid then return
    link = m.pendingLink
    m.pendingLink = invalid
    found = NewsdeskFindItem(m.content, link.contentId)
    if found = invalid then
        m.status.text = "That story is no longer in the news"
        return
    end if
    if m.player.visible then
        m.player.control = "stop"
        m.player.visible = false
    end if
    m.rows.jumpToRowItem = [found.row, found.item]
    if found.node.kind = "live" then
        play(found.node)
    else
        m.detail.content = found.node
        m.detail.visible = true
        m.detail.setFocus(true)
    end if
end sub

sub onFeedContent()
    incoming = m.task.content
    if incoming = invalid then return
    NewsdeskMergeRows(m.content, incoming)
    if m.rows.content = invalid then m.rows.content = m.content
    m.provider.text = m.content.provider
    m.ticker.text = m.content.tickerText
    m.loadError.visible = false
    onItemFocused()
    openPendingLink()
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
