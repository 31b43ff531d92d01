' Newsdesk reference channel: the pure feed logic.
'
' Everything here is plain BrightScript with no networking and no UI, so the
' same file runs in the FeedTask/DetailTask nodes on a Roku and, headless, in
' the brs interpreter under tests/. Field names follow
' schemas/channel-feed.schema.json and schemas/article-detail.schema.json;
' unknown extra fields are ignored.

' Limits and defaults. The Newsdesk budget (and Roku's own feed template) is
' 500 KB of uncompressed feed: anything larger is refused and the rows already
' on screen stay.
function NewsdeskDefaults() as object
    return {
        maxFeedBytes: 512000
        defaultPollSeconds: 300
        minPollSeconds: 60
        maxPollSeconds: 3600
        jitterFraction: 0.2
        maxRows: 20
        maxItemsPerRow: 50
        tickerItems: 8
        firstRetrySeconds: 5
        maxRetrySeconds: 40
        livePoster: "pkg:/images/splash_hd.png"
    }
end function

' --- small type helpers -----------------------------------------------------

function ndIsString(value as dynamic) as boolean
    t = type(value)
    return t = "String" or t = "roString"
end function

function ndIsNonEmptyString(value as dynamic) as boolean
    if not ndIsString(value) then return false
    return Len(value) > 0
end function

function ndIsNumber(value as dynamic) as boolean
    t = type(value)
    return t = "Integer" or t = "roInt" or t = "roInteger" or t = "LongInteger" or t = "roLongInteger" or t = "Float" or t = "roFloat" or t = "Double" or t = "roDouble"
end function

function ndIsArray(value as dynamic) as boolean
    return type(value) = "roArray"
end function

function ndIsObject(value as dynamic) as boolean
    return type(value) = "roAssociativeArray"
end function

function ndIsBoolean(value as dynamic) as boolean
    t = type(value)
    return t = "Boolean" or t = "roBoolean"
end function

function ndIsHttpUrl(value as dynamic) as boolean
    if not ndIsNonEmptyString(value) then return false
    lower = LCase(value)
    return Left(lower, 7) = "http://" or Left(lower, 8) = "https://"
end function

function ndStringOr(value as dynamic, fallback as string) as string
    if ndIsString(value) then return value
    return fallback
end function

' --- configuration ----------------------------------------------------------

' Reads feed_url and poll_interval_seconds from the manifest (via roAppInfo or
' any object with GetValue(key)). Returns {ok, feedUrl, pollSeconds, error}.
function NewsdeskConfig(appInfo as object) as object
    defaults = NewsdeskDefaults()
    config = { ok: false, feedUrl: "", pollSeconds: defaults.defaultPollSeconds, error: "" }
    feedUrl = appInfo.GetValue("feed_url")
    if not ndIsHttpUrl(feedUrl) then
        config.error = "manifest feed_url must be an http(s) URL"
        return config
    end if
    config.feedUrl = feedUrl
    pollText = appInfo.GetValue("poll_interval_seconds")
    if ndIsNonEmptyString(pollText) then
        config.pollSeconds = NewsdeskClampPoll(Int(Val(pollText)))
    end if
    config.ok = true
    return config
end function

function NewsdeskClampPoll(seconds as integer) as integer
    defaults = NewsdeskDefaults()
    if seconds < defaults.minPollSeconds then return defaults.minPollSeconds
    if seconds > defaults.maxPollSeconds then return defaults.maxPollSeconds
    return seconds
end function

' The next wait, in seconds: base +/- jitterFraction, so a fleet of TVs that
' started together spreads its polls. random is a number in [0, 1) (Rnd(0)
' on the device, a fixed value in tests).
function NewsdeskNextPollSeconds(baseSeconds as integer, jitterFraction as float, random as float) as integer
    base = NewsdeskClampPoll(baseSeconds)
    if random < 0 then random = 0
    if random >= 1 then random = 0.999999
    factor = 1.0 - jitterFraction + 2.0 * jitterFraction * random
    seconds = Int(base * factor + 0.5)
    if seconds < 30 then seconds = 30
    return seconds
end function

' The wait before the next poll. With no feed on screen yet and the last
' load failed, retry soon: 5, 10, 20, 40 s, then every 40 s (never longer than
' the poll interval). Once a feed is shown, the jittered poll interval.
function NewsdeskWaitSeconds(state as object, pollSeconds as integer, jitterFraction as float, random as float) as integer
    if state.hasFeed or state.failures <= 0 then
        return NewsdeskNextPollSeconds(pollSeconds, jitterFraction, random)
    end if
    defaults = NewsdeskDefaults()
    seconds = defaults.firstRetrySeconds
    for i = 2 to state.failures
        seconds = seconds * 2
        if seconds >= defaults.maxRetrySeconds then exit for
    end for
    if seconds > defaults.maxRetrySeconds then seconds = defaults.maxRetrySeconds
    poll = NewsdeskClampPoll(pollSeconds)
    if seconds > poll then seconds = poll
    return seconds
end function

' What the home screen says while there is no feed to show: "" once a feed is
' on screen (a later failure keeps the rows, silently) or before the first
' answer; otherwise the error line, with the retry delay when known.
function NewsdeskLoadMessage(state as object, retrySeconds as integer) as string
    if state.hasFeed or state.failures <= 0 then return ""
    message = "Can't reach the news service."
    if retrySeconds > 0 then message = message + " Trying again in " + retrySeconds.ToStr() + " s."
    return message
end function

' --- deep links -------------------------------------------------------------

' args: the launch arguments (Main's args) or an roInputEvent's GetInfo().
' Roku Search and the home screen send contentId (the Roku Search feed's
' playId: a story id) and mediaType. Returns {ok, contentId, mediaType}.
function NewsdeskDeepLink(args as dynamic) as object
    link = { ok: false, contentId: "", mediaType: "" }
    if not ndIsObject(args) then return link
    contentId = args.contentId
    mediaType = args.mediaType
    if not ndIsNonEmptyString(contentId) or not ndIsNonEmptyString(mediaType) then return link
    contentId = contentId.Trim()
    if Len(contentId) = 0 or Len(contentId) > 50 then return link
    known = { movie: true, episode: true, season: true, series: true, shortform: true, special: true, tvspecial: true, live: true, livestream: true }
    if not known.DoesExist(LCase(mediaType)) then return link
    link.ok = true
    link.contentId = contentId
    link.mediaType = mediaType
    return link
end function

' root: the RowList content (NewsdeskBuildRows). Returns {row, item, node} of
' the first item whose id is contentId (the Live entry included), or invalid.
function NewsdeskFindItem(root as dynamic, contentId as string) as dynamic
    if root = invalid then return invalid
    for r = 0 to root.getChildCount() - 1
        row = root.getChild(r)
        for i = 0 to row.getChildCount() - 1
            node = row.getChild(i)
            if node.id = contentId then return { row: r, item: i, node: node }
        end for
    end for
    return invalid
end function

' --- poster sizes -----------------------------------------------------------

' What the UI shows at a given UI resolution ("FHD", "HD", anything else is
' treated as HD). Posters are 16:9 and decoded at exactly this size.
function NewsdeskUiSpec(uiResolution as string) as object
    if UCase(uiResolution) = "FHD" then
        return {
            name: "FHD"
            poster: { width: 480, height: 270 }
            hero: { width: 960, height: 540 }
            rowHeight: 400
            itemSpacing: 24
        }
    end if
    return {
        name: "HD"
        poster: { width: 320, height: 180 }
        hero: { width: 640, height: 360 }
        rowHeight: 267
        itemSpacing: 16
    }
end function

' thumbnails: the card's "thumbnails" object ({name: {url, width, height}}).
' Returns the smallest thumbnail that covers width x height (so the device
' decodes as few pixels as possible without upscaling), else the largest one,
' else invalid. Names are not assumed: only the sizes matter.
function NewsdeskPickThumbnail(thumbnails as dynamic, width as integer, height as integer) as dynamic
    if not ndIsObject(thumbnails) then return invalid
    best = invalid
    largest = invalid
    for each name in thumbnails
        thumb = thumbnails[name]
        if ndIsObject(thumb) and ndIsHttpUrl(thumb.url) and ndIsNumber(thumb.width) and ndIsNumber(thumb.height) then
            area = thumb.width * thumb.height
            candidate = { name: name, url: thumb.url, width: Int(thumb.width), height: Int(thumb.height), area: area }
            if thumb.width >= width and thumb.height >= height then
                if best = invalid then
                    best = candidate
                else if area < best.area then
                    best = candidate
                end if
            end if
            if largest = invalid then
                largest = candidate
            else if area > largest.area then
                largest = candidate
            end if
        end if
    end for
    if best <> invalid then return best
    return largest
end function

' --- parsing ----------------------------------------------------------------

function ndParseVideo(video as dynamic) as dynamic
    if not ndIsObject(video) then return invalid
    if not ndIsHttpUrl(video.url) then return invalid
    videoType = UCase(ndStringOr(video.videoType, ""))
    if videoType <> "HLS" and videoType <> "DASH" and videoType <> "MP4" then return invalid
    duration = 0
    if ndIsNumber(video.duration) then duration = Int(video.duration)
    return { url: video.url, videoType: videoType, duration: duration }
end function

' Returns a normalised card, or invalid when a field the UI needs is missing.
function ndParseCard(card as dynamic) as dynamic
    if not ndIsObject(card) then return invalid
    if not ndIsNonEmptyString(card.id) then return invalid
    if not ndIsNonEmptyString(card.title) then return invalid
    if not ndIsObject(card.thumbnails) then return invalid
    tags = []
    if ndIsArray(card.tags) then
        for each tag in card.tags
            if ndIsNonEmptyString(tag) then tags.Push(tag)
        end for
    end if
    pinned = false
    if ndIsBoolean(card.pinned) then pinned = card.pinned
    detailUrl = ""
    if ndIsHttpUrl(card.detailUrl) then detailUrl = card.detailUrl
    titleCard = false
    if ndIsBoolean(card.titleCard) then titleCard = card.titleCard
    return {
        id: card.id
        title: card.title
        summary: ndStringOr(card.summary, "")
        ticker: ndStringOr(card.ticker, card.title)
        publishedAt: ndStringOr(card.publishedAt, "")
        category: ndStringOr(card.category, "")
        tags: tags
        pinned: pinned
        thumbnails: card.thumbnails
        placeholderColor: ndStringOr(card.placeholderColor, "#202830")
        detailUrl: detailUrl
        titleCard: titleCard
        video: ndParseVideo(card.video)
    }
end function

function ndParseLiveStream(live as dynamic) as dynamic
    if not ndIsObject(live) then return invalid
    if not ndIsHttpUrl(live.url) then return invalid
    videoType = UCase(ndStringOr(live.videoType, ""))
    if videoType <> "HLS" and videoType <> "DASH" and videoType <> "MP4" then return invalid
    thumbnail = ""
    if ndIsHttpUrl(live.thumbnail) then thumbnail = live.thumbnail
    return {
        id: ndStringOr(live.id, "live")
        title: ndStringOr(live.title, "Live")
        url: live.url
        videoType: videoType
        thumbnail: thumbnail
    }
end function

' body: the feed document as received. Returns
' {ok, error, feed: {provider, language, version, generatedAt, liveStream, rows}, droppedItems}
' Broken JSON, an empty body or a feed without usable rows gives ok = false.
' Cards that lack what the UI needs are dropped (and counted); rows left
' without cards are dropped.
function NewsdeskParseFeed(body as dynamic) as object
    result = { ok: false, error: "", feed: invalid, droppedItems: 0, droppedRows: 0 }
    if not ndIsString(body) then
        result.error = "empty"
        return result
    end if
    if Len(body.Trim()) = 0 then
        result.error = "empty"
        return result
    end if
    doc = ParseJson(body)
    if not ndIsObject(doc) then
        result.error = "not-json"
        return result
    end if
    if not ndIsArray(doc.rows) then
        result.error = "no-rows"
        return result
    end if
    defaults = NewsdeskDefaults()
    version = 0
    if ndIsNumber(doc.version) then version = Int(doc.version)
    feed = {
        provider: ndStringOr(doc.provider, "")
        language: ndStringOr(doc.language, "")
        version: version
        generatedAt: ndStringOr(doc.generatedAt, "")
        liveStream: ndParseLiveStream(doc.liveStream)
        rows: []
    }
    for each row in doc.rows
        if ndIsObject(row) and ndIsNonEmptyString(row.id) and ndIsArray(row.items) and feed.rows.Count() < defaults.maxRows then
            items = []
            for each card in row.items
                parsed = ndParseCard(card)
                if parsed = invalid or items.Count() >= defaults.maxItemsPerRow then
                    result.droppedItems = result.droppedItems + 1
                else
                    items.Push(parsed)
                end if
            end for
            if items.Count() > 0 then
                feed.rows.Push({ id: row.id, title: ndStringOr(row.title, row.id), items: items })
            else
                result.droppedRows = result.droppedRows + 1
            end if
        else
            result.droppedRows = result.droppedRows + 1
        end if
    end for
    if feed.rows.Count() = 0 then
        result.error = "no-rows"
        return result
    end if
    result.ok = true
    result.feed = feed
    return result
end function

' --- deciding what to do with a response -------------------------------------

' The poller's state: what is on screen now.
function NewsdeskNewState() as object
    return { etag: "", version: 0, hasFeed: false, lastResult: "", failures: 0 }
end function

' state: from NewsdeskNewState (updated in place on success).
' code: HTTP status (negative: a transport error from roUrlTransfer).
' body: the body (may be invalid/empty); sizeBytes: its size in bytes as
' received (-1 when unknown: Len(body) is used); etag: the ETag header or "".
' Returns {action: "update" | "keep", reason, feed}. "keep" always means the
' rows already shown stay as they are.
function NewsdeskHandleResponse(state as object, code as integer, body as dynamic, sizeBytes as integer, etag as dynamic) as object
    defaults = NewsdeskDefaults()
    decision = { action: "keep", reason: "", feed: invalid }
    if code = 304 then
        decision.reason = "not-modified"
    else if code <= 0 then
        decision.reason = "network-error"
    else if code <> 200 then
        decision.reason = "http-" + code.ToStr()
    else
        if sizeBytes < 0 and ndIsString(body) then sizeBytes = Len(body)
        if sizeBytes > defaults.maxFeedBytes then
            decision.reason = "too-large"
        else
            parsed = NewsdeskParseFeed(body)
            if not parsed.ok then
                decision.reason = parsed.error
            else if state.hasFeed and parsed.feed.version = state.version and parsed.feed.version > 0 then
                ' Same version under a new ETag (another server): nothing to redraw.
                decision.reason = "same-version"
                if ndIsString(etag) then state.etag = etag
            else
                decision.action = "update"
                decision.reason = "new-version"
                decision.feed = parsed.feed
                state.version = parsed.feed.version
                state.hasFeed = true
                if ndIsString(etag) then
                    state.etag = etag
                else
                    state.etag = ""
                end if
            end if
        end if
    end if
    if decision.reason = "not-modified" or decision.reason = "same-version" or decision.action = "update" then
        state.failures = 0
    else
        state.failures = state.failures + 1
    end if
    state.lastResult = decision.reason
    return decision
end function

' Request headers for the next poll: conditional on the version we show.
function NewsdeskRequestHeaders(state as object) as object
    headers = { "Accept": "application/json" }
    if state.hasFeed and ndIsNonEmptyString(state.etag) then headers["If-None-Match"] = state.etag
    return headers
end function

' --- building the UI content -------------------------------------------------

function ndStreamFormat(videoType as string) as string
    if videoType = "HLS" then return "hls"
    if videoType = "DASH" then return "dash"
    return "mp4"
end function

' Sets one story's fields on a ContentNode (an item of a RowList row).
sub ndFillItem(node as object, card as object, ui as object)
    poster = NewsdeskPickThumbnail(card.thumbnails, ui.poster.width, ui.poster.height)
    hero = NewsdeskPickThumbnail(card.thumbnails, ui.hero.width, ui.hero.height)
    posterUrl = ""
    heroUrl = ""
    if poster <> invalid then posterUrl = poster.url
    if hero <> invalid then heroUrl = hero.url
    videoUrl = ""
    streamFormat = ""
    if card.video <> invalid then
        videoUrl = card.video.url
        streamFormat = ndStreamFormat(card.video.videoType)
    end if
    node.id = card.id
    node.title = card.title
    node.description = card.summary
    node.shortDescriptionLine1 = card.title
    node.shortDescriptionLine2 = card.ticker
    node.HDPosterUrl = posterUrl
    node.FHDPosterUrl = posterUrl
    node.url = videoUrl
    node.streamFormat = streamFormat
    node.releaseDate = card.publishedAt
    ' Fresh nodes only (NewsdeskBuildRows): addFields declares and sets.
    node.addFields({
        kind: "story"
        ticker: card.ticker
        detailUrl: card.detailUrl
        heroUrl: heroUrl
        placeholderColor: card.placeholderColor
        category: card.category
        pinned: card.pinned
        ' The poster is a title card that already shows the headline: the row
        ' item leaves its own caption out (the detail screen keeps its title).
        titleCard: card.titleCard
    })
end sub

sub ndFillLiveItem(node as object, live as object)
    poster = live.thumbnail
    if poster = "" then poster = NewsdeskDefaults().livePoster
    node.id = live.id
    node.title = live.title
    node.description = live.title
    node.shortDescriptionLine1 = live.title
    node.shortDescriptionLine2 = "Live"
    node.HDPosterUrl = poster
    node.FHDPosterUrl = poster
    node.url = live.url
    node.streamFormat = ndStreamFormat(live.videoType)
    node.live = true
    node.addFields({ kind: "live", detailUrl: "", ticker: live.title, heroUrl: poster, placeholderColor: "#b01020", category: "live", pinned: true, titleCard: false })
end sub

' feed: NewsdeskParseFeed(...).feed. Returns the RowList content: a root
' ContentNode whose children are rows (id = row id, title = row title) whose
' children are stories. A "Live" row comes first when the feed has a live
' stream.
function NewsdeskBuildRows(feed as object, uiResolution as string) as object
    ui = NewsdeskUiSpec(uiResolution)
    root = CreateObject("roSGNode", "ContentNode")
    root.addFields({ version: feed.version, provider: feed.provider, tickerText: NewsdeskTickerText(feed) })
    if feed.liveStream <> invalid then
        liveRow = root.createChild("ContentNode")
        liveRow.id = "live"
        liveRow.title = "Live"
        ndFillLiveItem(liveRow.createChild("ContentNode"), feed.liveStream)
    end if
    for each row in feed.rows
        rowNode = root.createChild("ContentNode")
        rowNode.id = row.id
        rowNode.title = row.title
        for each card in row.items
            ndFillItem(rowNode.createChild("ContentNode"), card, ui)
        end for
    end for
    return root
end function

' The ticker line under the rows: the first stories' ticker lines, pinned first.
function NewsdeskTickerText(feed as object) as string
    limit = NewsdeskDefaults().tickerItems
    pinned = []
    others = []
    seen = {}
    for each row in feed.rows
        for each card in row.items
            if not seen.DoesExist(card.id) then
                seen[card.id] = true
                if card.pinned then
                    pinned.Push(card.ticker)
                else
                    others.Push(card.ticker)
                end if
            end if
        end for
    end for
    lines = []
    for each line in pinned
        if lines.Count() < limit then lines.Push(line)
    end for
    for each line in others
        if lines.Count() < limit then lines.Push(line)
    end for
    return lines.Join("   |   ")
end function

' Refreshes the rows on screen in place: current keeps its identity and so do
' row nodes whose id is still in the feed (the RowList keeps its focus), rows
' follow the new order, gone rows are removed, stories are swapped. incoming is
' consumed (its nodes move into current). Returns {added, removed, kept}.
function NewsdeskMergeRows(current as object, incoming as object) as object
    stats = { added: 0, removed: 0, kept: 0 }
    existing = {}
    for each row in current.getChildren(-1, 0)
        existing[row.id] = row
    end for
    newRows = incoming.getChildren(-1, 0)
    wanted = {}
    for each row in newRows
        wanted[row.id] = true
    end for
    ' Drop rows the feed no longer has.
    for each row in current.getChildren(-1, 0)
        if not wanted.DoesExist(row.id) then
            current.removeChild(row)
            stats.removed = stats.removed + 1
        end if
    end for
    index = 0
    for each row in newRows
        if existing.DoesExist(row.id) then
            target = existing[row.id]
            target.title = row.title
            target.removeChildrenIndex(target.getChildCount(), 0)
            target.appendChildren(row.getChildren(-1, 0))
            stats.kept = stats.kept + 1
        else
            target = row
            stats.added = stats.added + 1
        end if
        here = current.getChild(index)
        if here = invalid or not here.isSameNode(target) then
            if target.getParent() <> invalid and target.getParent().isSameNode(current) then current.removeChild(target)
            current.insertChild(target, index)
        end if
        index = index + 1
    end for
    for each field in ["version", "provider", "tickerText"]
        if incoming.hasField(field) then
            if current.hasField(field) then
                current.setField(field, incoming.getField(field))
            else
                values = {}
                values[field] = incoming.getField(field)
                current.addFields(values)
            end if
        end if
    end for
    return stats
end function

' --- article detail ---------------------------------------------------------

' body: an article detail document. Returns {ok, error, title, summary, text,
' byline, source, readingTimeMinutes}.
function NewsdeskParseDetail(body as dynamic) as object
    result = { ok: false, error: "", title: "", summary: "", text: "", byline: "", source: "", readingTimeMinutes: 0 }
    if not ndIsNonEmptyString(body) then
        result.error = "empty"
        return result
    end if
    doc = ParseJson(body)
    if not ndIsObject(doc) then
        result.error = "not-json"
        return result
    end if
    if not ndIsArray(doc.paragraphs) then
        result.error = "no-paragraphs"
        return result
    end if
    paragraphs = []
    for each paragraph in doc.paragraphs
        if ndIsNonEmptyString(paragraph) then paragraphs.Push(paragraph)
    end for
    if ndIsObject(doc.card) then
        result.title = ndStringOr(doc.card.title, "")
        result.summary = ndStringOr(doc.card.summary, "")
    end if
    result.text = paragraphs.Join(Chr(10) + Chr(10))
    result.byline = ndStringOr(doc.byline, "")
    result.source = ndStringOr(doc.source, "")
    if ndIsNumber(doc.readingTimeMinutes) then result.readingTimeMinutes = Int(doc.readingTimeMinutes)
    result.ok = true
    return result
end function

' "#33506a" (the card's placeholderColor) -> "0x33506AFF" (a SceneGraph
' color). Anything else gives the fallback.
function NewsdeskColor(hex as dynamic, fallback as string) as string
    if not ndIsString(hex) then return fallback
    if Len(hex) <> 7 or Left(hex, 1) <> "#" then return fallback
    digits = UCase(Mid(hex, 2))
    for i = 1 to 6
        if Instr(1, "0123456789ABCDEF", Mid(digits, i, 1)) = 0 then return fallback
    end for
    return "0x" + digits + "FF"
end function
