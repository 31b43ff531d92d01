sub init()
    m.top.functionName = "pollLoop"
end sub

sub pollLoop()
    wakeUp = CreateObject("roMessagePort")
    m.top.observeField("refreshNow", wakeUp)
    state = NewsdeskNewState()
    defaults = NewsdeskDefaults()
    while true
        decision = pollOnce(state)
        m.top.status = decision.reason + " (version " + state.version.ToStr() + ")"
        ' No feed yet after a failure: retry in 5, 10, 20, 40 s, not a whole poll
        ' interval, and say so on screen until a feed arrives.
        waitSeconds = NewsdeskWaitSeconds(state, m.top.pollSeconds, defaults.jitterFraction, Rnd(0))
        message = NewsdeskLoadMessage(state, waitSeconds)
        if message <> m.top.loadError then m.top.loadError = message
        ' Sleep until the next poll, or until someone sets refreshNow.
        wait(waitSeconds * 1000, wakeUp)
    end while
end sub

' One conditional GET. The body goes to a temporary file first so that its
' size is known before anything is parsed: a feed over the budget is never
' read into memory.
function pollOnce(state as object) as object
    path = "tmp:/newsdesk-feed.json"
    feedUrl = m.top.feedUrl
    transfer = CreateObject("roUrlTransfer")
    port = CreateObject("roMessagePort")
    transfer.SetMessagePort(port)
    transfer.SetUrl(feedUrl)
    if LCase(Left(feedUrl, 8)) = "https://" then
        transfer.SetCertificatesFile("common:/certs/ca-bundle.crt")
        transfer.InitClientCertificates()
    end if
    transfer.EnableEncodings(true)
    transfer.SetHeaders(NewsdeskRequestHeaders(state))

    code = -1
    etag = invalid
    size = -1
    body = invalid
    if transfer.AsyncGetToFile(path) then
        msg = wait(30000, port)
        if type(msg) = "roUrlEvent" then
            code = msg.GetResponseCode()
            headers = msg.GetResponseHeaders()
            if headers <> invalid then etag = headers["etag"]
            if code = 200 then
                stat = CreateObject("roFileSystem").Stat(path)
                if stat <> invalid and stat.size <> invalid then size = stat.size
                if size <= NewsdeskDefaults().maxFeedBytes then body = ReadAsciiFile(path)
            end if
        else
            transfer.AsyncCancel()
            code = -28
        end if
    end if
    DeleteFile(path)

    decision = NewsdeskHandleResponse(state, code, body, size, etag)
    if decision.action = "update" then
        ' Build the whole tree here, off the render thread; the scene merges it.
        m.top.content = NewsdeskBuildRows(decision.feed, m.top.uiResolution)
    end if
    return decision
end function
