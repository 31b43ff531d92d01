' Headless tests of source/feed.brs, run by the brs interpreter (see
' tests/feed.test.mjs). Each test prints "ok <name>" or "not ok <name>: <why>";
' the run ends with "brs: N passed, N failed". A runtime error stops brs
' before that line, and the Node wrapper fails the run when it is missing.
'
' Assertions are structural: counts and ids are read from the fixture with the
' built-in ParseJson, so tests/fixtures/feed.json can be replaced by any feed
' Newsdesk produced.

sub Main()
    tests = [
        { name: "parses the fixture feed by the schema's field names", fn: testParseFixture }
        { name: "builds one RowList row per feed row plus Live", fn: testBuildRowsFhd }
        { name: "picks the smallest poster that covers the HD UI", fn: testBuildRowsHd }
        { name: "picks thumbnails by size, not by name", fn: testPickThumbnail }
        { name: "maps UI resolutions to poster sizes", fn: testUiSpec }
        { name: "200 then 304 keeps the rows and sends If-None-Match", fn: testConditionalPolling }
        { name: "empty body keeps current rows", fn: testEmptyBody }
        { name: "broken JSON keeps current rows", fn: testBrokenBody }
        { name: "feed without rows keeps current rows", fn: testNoRows }
        { name: "feed over 500 KB is refused and current rows stay", fn: testTooLarge }
        { name: "network and server errors keep current rows", fn: testErrors }
        { name: "same version under a new ETag does not redraw", fn: testSameVersion }
        { name: "a new version refreshes rows in place", fn: testMergeRows }
        { name: "drops unusable cards and tolerates extra fields", fn: testTolerance }
        { name: "poll interval is jittered and clamped", fn: testPollInterval }
        { name: "feed URL and poll interval come from the manifest", fn: testConfig }
        { name: "ticker line puts pinned stories first", fn: testTicker }
        { name: "parses an article detail", fn: testDetail }
        { name: "converts placeholder colours", fn: testColor }
        { name: "first load failing retries at 5, 10, 20, 40 s and says so", fn: testFirstLoadBackoff }
        { name: "the error state clears itself when a feed arrives", fn: testErrorClears }
        { name: "a failure with a feed on screen keeps the poll interval", fn: testFailureWithFeed }
        { name: "deep links need contentId and a known mediaType", fn: testDeepLinkArgs }
        { name: "a deep link finds its story in the rows", fn: testDeepLinkFindsStory }
        { name: "title-card posters carry the flag, other cards not", fn: testTitleCards }
        { name: "the Live tile always has a poster", fn: testLivePoster }
    ]
    print "tests: "; tests.Count()
    passed = 0
    failed = 0
    for each entry in tests
        t = { failures: [] }
        entry.fn(t)
        if t.failures.Count() = 0 then
            passed = passed + 1
            print "ok " + entry.name
        else
            failed = failed + 1
            print "not ok " + entry.name + ": " + t.failures.Join("; ")
        end if
    end for
    print "brs: " + passed.ToStr() + " passed, " + failed.ToStr() + " failed"
end sub

' --- helpers -----------------------------------------------------------------

sub check(t as object, condition as boolean, message as string)
    if not condition then t.failures.Push(message)
end sub

sub checkEqual(t as object, actual as dynamic, expected as dynamic, message as string)
    if type(actual) <> type(expected) and not (ndIsString(actual) and ndIsString(expected)) and not (ndIsNumber(actual) and ndIsNumber(expected)) then
        t.failures.Push(message + " (type " + type(actual) + " <> " + type(expected) + ")")
    else if actual <> expected then
        t.failures.Push(message + " (got " + toText(actual) + ", want " + toText(expected) + ")")
    end if
end sub

function toText(value as dynamic) as string
    if ndIsString(value) then return value
    if ndIsNumber(value) then return value.ToStr()
    if ndIsBoolean(value) then
        if value then return "true"
        return "false"
    end if
    return type(value)
end function

function fixture(name as string) as string
    return ReadAsciiFile("pkg:/tests/fixtures/" + name)
end function

function rawFeed() as object
    return ParseJson(fixture("feed.json"))
end function

' Rows of the fixture that have items, within the channel's row and item
' limits (what the channel should show).
function rawRows() as object
    limits = NewsdeskDefaults()
    rows = []
    for each row in rawFeed().rows
        if row.items.Count() > 0 and rows.Count() < limits.maxRows then
            items = []
            for each card in row.items
                if items.Count() < limits.maxItemsPerRow then items.Push(card)
            end for
            rows.Push({ id: row.id, title: row.title, items: items, total: row.items.Count() })
        end if
    end for
    return rows
end function

function validFeedState() as object
    state = NewsdeskNewState()
    decision = NewsdeskHandleResponse(state, 200, fixture("feed.json"), -1, """v-fixture""")
    if decision.action <> "update" then print "setup failed: " + decision.reason
    return state
end function

' The smallest raw thumbnail covering width x height, computed independently.
function coveringArea(thumbnails as object, width as integer, height as integer) as integer
    best = -1
    for each name in thumbnails
        thumb = thumbnails[name]
        if thumb.width >= width and thumb.height >= height then
            area = thumb.width * thumb.height
            if best < 0 or area < best then best = area
        end if
    end for
    return best
end function

function thumbnailByUrl(thumbnails as object, url as string) as dynamic
    for each name in thumbnails
        if thumbnails[name].url = url then return thumbnails[name]
    end for
    return invalid
end function

sub checkPosters(t as object, uiResolution as string, width as integer, height as integer)
    raw = rawRows()
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    root = NewsdeskBuildRows(feed, uiResolution)
    offset = 0
    if feed.liveStream <> invalid then offset = 1
    for r = 0 to raw.Count() - 1
        rowNode = root.getChild(r + offset)
        for i = 0 to raw[r].items.Count() - 1
            card = raw[r].items[i]
            item = rowNode.getChild(i)
            chosen = thumbnailByUrl(card.thumbnails, item.HDPosterUrl)
            check(t, chosen <> invalid, uiResolution + " poster of " + card.id + " is one of its thumbnails")
            if chosen <> invalid then
                want = coveringArea(card.thumbnails, width, height)
                if want > 0 then
                    checkEqual(t, chosen.width * chosen.height, want, uiResolution + " poster of " + card.id + " is the smallest covering " + width.ToStr() + "x" + height.ToStr())
                end if
                checkEqual(t, item.FHDPosterUrl, item.HDPosterUrl, "one poster URL for every resolution field")
            end if
        end for
    end for
end sub

' --- tests -----------------------------------------------------------------

sub testParseFixture(t as object)
    raw = rawFeed()
    rows = rawRows()
    result = NewsdeskParseFeed(fixture("feed.json"))
    check(t, result.ok, "fixture parses: " + result.error)
    if not result.ok then return
    feed = result.feed
    checkEqual(t, feed.version, raw.version, "version")
    checkEqual(t, feed.provider, raw.provider, "provider")
    checkEqual(t, feed.rows.Count(), rows.Count(), "row count")
    overLimit = 0
    for each row in rows
        overLimit = overLimit + row.total - row.items.Count()
    end for
    checkEqual(t, result.droppedItems, overLimit, "no card of a valid feed is dropped (beyond the per-row limit)")
    for r = 0 to rows.Count() - 1
        checkEqual(t, feed.rows[r].id, rows[r].id, "row id")
        checkEqual(t, feed.rows[r].title, rows[r].title, "row title")
        checkEqual(t, feed.rows[r].items.Count(), rows[r].items.Count(), "items in row " + rows[r].id)
        for i = 0 to rows[r].items.Count() - 1
            checkEqual(t, feed.rows[r].items[i].id, rows[r].items[i].id, "card id")
            checkEqual(t, feed.rows[r].items[i].ticker, rows[r].items[i].ticker, "card ticker")
        end for
    end for
    check(t, (feed.liveStream <> invalid) = (raw.liveStream <> invalid), "live stream present iff the feed has one")
end sub

sub testBuildRowsFhd(t as object)
    raw = rawFeed()
    rows = rawRows()
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    root = NewsdeskBuildRows(feed, "FHD")
    checkEqual(t, root.subtype(), "ContentNode", "root is a ContentNode")
    offset = 0
    if raw.liveStream <> invalid then
        offset = 1
        live = root.getChild(0)
        checkEqual(t, live.id, "live", "live row first")
        checkEqual(t, live.getChildCount(), 1, "one live entry")
        entry = live.getChild(0)
        checkEqual(t, entry.kind, "live", "live entry kind")
        checkEqual(t, entry.url, raw.liveStream.url, "live entry plays the stream")
        checkEqual(t, entry.title, raw.liveStream.title, "live entry title")
        checkEqual(t, entry.streamFormat, LCase(raw.liveStream.videoType), "live stream format")
        checkEqual(t, entry.live, true, "live flag")
    end if
    checkEqual(t, root.getChildCount(), rows.Count() + offset, "one row per feed row")
    checkEqual(t, root.version, raw.version, "root carries the feed version")
    for r = 0 to rows.Count() - 1
        rowNode = root.getChild(r + offset)
        checkEqual(t, rowNode.id, rows[r].id, "row node id")
        checkEqual(t, rowNode.title, rows[r].title, "row node title")
        checkEqual(t, rowNode.getChildCount(), rows[r].items.Count(), "row node items")
        for i = 0 to rows[r].items.Count() - 1
            card = rows[r].items[i]
            item = rowNode.getChild(i)
            checkEqual(t, item.id, card.id, "item id")
            checkEqual(t, item.title, card.title, "item headline")
            checkEqual(t, item.shortDescriptionLine1, card.title, "item line 1")
            checkEqual(t, item.ticker, card.ticker, "item ticker")
            checkEqual(t, item.shortDescriptionLine2, card.ticker, "item line 2")
            checkEqual(t, item.description, card.summary, "item summary")
            checkEqual(t, item.detailUrl, card.detailUrl, "item detail URL")
            checkEqual(t, item.placeholderColor, card.placeholderColor, "item placeholder colour")
            checkEqual(t, item.kind, "story", "item kind")
            if card.video <> invalid then
                checkEqual(t, item.url, card.video.url, "item video URL")
            else
                checkEqual(t, item.url, "", "no video URL")
            end if
            hero = thumbnailByUrl(card.thumbnails, item.heroUrl)
            check(t, hero <> invalid, "hero of " + card.id + " is one of its thumbnails")
        end for
    end for
    checkPosters(t, "FHD", 480, 270)
end sub

sub testBuildRowsHd(t as object)
    checkPosters(t, "HD", 320, 180)
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    fhd = NewsdeskBuildRows(feed, "FHD")
    hd = NewsdeskBuildRows(feed, "HD")
    last = fhd.getChildCount() - 1
    fhdItem = fhd.getChild(last).getChild(0)
    hdItem = hd.getChild(last).getChild(0)
    card = feed.rows[feed.rows.Count() - 1].items[0]
    a = thumbnailByUrl(card.thumbnails, fhdItem.HDPosterUrl)
    b = thumbnailByUrl(card.thumbnails, hdItem.HDPosterUrl)
    if a <> invalid and b <> invalid then
        check(t, b.width * b.height <= a.width * a.height, "HD never decodes a larger poster than FHD")
    end if
end sub

sub testPickThumbnail(t as object)
    thumbs = {
        big: { url: "http://x/big.jpg", width: 1920, height: 1080 }
        small: { url: "http://x/small.jpg", width: 160, height: 90 }
        mid: { url: "http://x/mid.jpg", width: 640, height: 360 }
        bad: { url: "ftp://x/bad.jpg", width: 500, height: 281 }
        odd: "not a thumbnail"
    }
    checkEqual(t, NewsdeskPickThumbnail(thumbs, 480, 270).url, "http://x/mid.jpg", "smallest covering")
    checkEqual(t, NewsdeskPickThumbnail(thumbs, 100, 50).url, "http://x/small.jpg", "tiny target")
    checkEqual(t, NewsdeskPickThumbnail(thumbs, 3840, 2160).url, "http://x/big.jpg", "largest when none covers")
    check(t, NewsdeskPickThumbnail({}, 480, 270) = invalid, "no thumbnails -> invalid")
    check(t, NewsdeskPickThumbnail(invalid, 480, 270) = invalid, "invalid -> invalid")
end sub

sub testUiSpec(t as object)
    checkEqual(t, NewsdeskUiSpec("FHD").poster.width, 480, "FHD poster width")
    checkEqual(t, NewsdeskUiSpec("FHD").poster.height, 270, "FHD poster height")
    checkEqual(t, NewsdeskUiSpec("HD").poster.width, 320, "HD poster width")
    checkEqual(t, NewsdeskUiSpec("HD").poster.height, 180, "HD poster height")
    checkEqual(t, NewsdeskUiSpec("SD").name, "HD", "unknown resolutions use HD sizes")
    for each name in ["FHD", "HD"]
        spec = NewsdeskUiSpec(name)
        checkEqual(t, spec.poster.width * 9, spec.poster.height * 16, name + " poster is 16:9")
        checkEqual(t, spec.hero.width * 9, spec.hero.height * 16, name + " hero is 16:9")
    end for
end sub

sub testConditionalPolling(t as object)
    state = NewsdeskNewState()
    headers = NewsdeskRequestHeaders(state)
    check(t, not headers.DoesExist("If-None-Match"), "first poll is unconditional")
    first = NewsdeskHandleResponse(state, 200, fixture("feed.json"), -1, """v7""")
    checkEqual(t, first.action, "update", "200 with a feed updates")
    checkEqual(t, state.version, rawFeed().version, "state holds the version shown")
    headers = NewsdeskRequestHeaders(state)
    checkEqual(t, headers["If-None-Match"], """v7""", "next poll is conditional")
    second = NewsdeskHandleResponse(state, 304, "", 0, invalid)
    checkEqual(t, second.action, "keep", "304 keeps")
    checkEqual(t, second.reason, "not-modified", "304 reason")
    check(t, second.feed = invalid, "304 gives no feed")
    checkEqual(t, state.etag, """v7""", "304 keeps the ETag")
    checkEqual(t, state.failures, 0, "304 is not a failure")
end sub

sub checkKept(t as object, code as integer, body as dynamic, size as integer, reason as string)
    state = validFeedState()
    version = state.version
    decision = NewsdeskHandleResponse(state, code, body, size, """other""")
    checkEqual(t, decision.action, "keep", reason + ": action")
    checkEqual(t, decision.reason, reason, reason + ": reason")
    check(t, decision.feed = invalid, reason + ": no feed to show")
    checkEqual(t, state.version, version, reason + ": version on screen unchanged")
    checkEqual(t, state.etag, """v-fixture""", reason + ": ETag of the rows on screen unchanged")
    checkEqual(t, state.failures, 1, reason + ": counted as a failure")
end sub

sub testEmptyBody(t as object)
    checkKept(t, 200, fixture("feed-empty.json"), -1, "empty")
    checkKept(t, 200, "   ", -1, "empty")
    checkKept(t, 200, invalid, 0, "empty")
end sub

sub testBrokenBody(t as object)
    checkKept(t, 200, fixture("feed-broken.json"), -1, "not-json")
    checkKept(t, 200, "[1, 2, 3]", -1, "not-json")
    checkKept(t, 200, "<html>Bad gateway</html>", -1, "not-json")
end sub

sub testNoRows(t as object)
    checkKept(t, 200, fixture("feed-no-rows.json"), -1, "no-rows")
    checkKept(t, 200, "{""provider"": ""x"", ""version"": 9, ""rows"": []}", -1, "no-rows")
    checkKept(t, 200, "{""provider"": ""x"", ""version"": 9, ""rows"": [{""id"": ""a"", ""title"": ""A"", ""items"": []}]}", -1, "no-rows")
end sub

sub testTooLarge(t as object)
    body = ReadAsciiFile("pkg:/out/fixtures/feed-large.json")
    check(t, Len(body) > 512000, "large fixture is over 500 KB (generate it with tests/feed.test.mjs)")
    checkKept(t, 200, body, -1, "too-large")
    ' The size the transfer reported wins over the string length.
    checkKept(t, 200, fixture("feed.json"), 600000, "too-large")
end sub

sub testErrors(t as object)
    checkKept(t, -28, invalid, -1, "network-error")
    checkKept(t, 0, "", -1, "network-error")
    checkKept(t, 500, "{""error"": ""boom""}", -1, "http-500")
    checkKept(t, 404, "", -1, "http-404")
end sub

sub testSameVersion(t as object)
    state = validFeedState()
    decision = NewsdeskHandleResponse(state, 200, fixture("feed.json"), -1, """from-another-edge""")
    checkEqual(t, decision.action, "keep", "same version keeps")
    checkEqual(t, decision.reason, "same-version", "reason")
    checkEqual(t, state.etag, """from-another-edge""", "but remembers the new ETag")
    checkEqual(t, state.failures, 0, "not a failure")
end sub

sub testMergeRows(t as object)
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    current = NewsdeskBuildRows(feed, "FHD")
    before = {}
    for each row in current.getChildren(-1, 0)
        before[row.id] = row
    end for

    ' A new version: rows reversed, the first feed row gone, a new row added,
    ' and the (new) first row holds one story less when it has more than one.
    newer = NewsdeskParseFeed(fixture("feed.json")).feed
    newer.version = feed.version + 1
    removedId = newer.rows[0].id
    newer.rows.Shift()
    newer.rows.Reverse()
    if newer.rows.Count() > 0 and newer.rows[0].items.Count() > 1 then newer.rows[0].items.Pop()
    newer.rows.Push({ id: "brand-new-row", title: "Brand new", items: [feed.rows[0].items[0]] })
    incoming = NewsdeskBuildRows(newer, "FHD")
    wantIds = []
    wantCounts = []
    for each row in incoming.getChildren(-1, 0)
        wantIds.Push(row.id)
        wantCounts.Push(row.getChildCount())
    end for

    rowList = CreateObject("roSGNode", "ContentNode")
    rowList.appendChild(current)
    stats = NewsdeskMergeRows(current, incoming)
    check(t, rowList.getChild(0).isSameNode(current), "the RowList keeps the same content node")
    checkEqual(t, current.getChildCount(), wantIds.Count(), "row count after merge")
    for i = 0 to wantIds.Count() - 1
        row = current.getChild(i)
        checkEqual(t, row.id, wantIds[i], "row order after merge")
        checkEqual(t, row.getChildCount(), wantCounts[i], "items of " + wantIds[i])
        if before.DoesExist(row.id) then
            check(t, row.isSameNode(before[row.id]), "row " + row.id + " refreshed in place")
        end if
    end for
    checkEqual(t, stats.removed, 1, "one row removed")
    checkEqual(t, stats.added, 1, "one row added")
    checkEqual(t, current.version, newer.version, "content carries the new version")
    checkEqual(t, current.tickerText, NewsdeskTickerText(newer), "content carries the new ticker line")

    ' The scene starts from an empty content node and merges every version in.
    empty = CreateObject("roSGNode", "ContentNode")
    NewsdeskMergeRows(empty, NewsdeskBuildRows(feed, "HD"))
    checkEqual(t, empty.getChildCount(), NewsdeskBuildRows(feed, "HD").getChildCount(), "first version fills an empty node")
    checkEqual(t, empty.version, feed.version, "first version number")
    checkEqual(t, empty.provider, feed.provider, "provider")
    for each row in current.getChildren(-1, 0)
        check(t, row.id <> removedId, "removed row is gone")
    end for
end sub

sub testTolerance(t as object)
    raw = rawFeed()
    raw.futureField = { anything: [1, 2, 3] }
    rows = raw.rows
    limits = NewsdeskDefaults()
    withinLimits = rows.Count() < limits.maxRows
    total = 0
    for each row in rows
        total = total + row.items.Count()
        if row.items.Count() > limits.maxItemsPerRow then withinLimits = false
    end for
    ' Break the first card of the first row; give another an unknown field.
    rows[0].items[0].Delete("thumbnails")
    rows[0].items[rows[0].items.Count() - 1].addedLater = "ignored"
    ' A row whose only card is unusable disappears.
    rows.Push({ id: "broken-row", title: "Broken", items: [{ id: "x" }] })
    result = NewsdeskParseFeed(FormatJson(raw))
    check(t, result.ok, "still parses: " + result.error)
    if not result.ok then return
    check(t, result.droppedItems >= 2 and result.droppedRows >= 1, "unusable cards and rows dropped")
    ' Exact counts only when the fixture is within the row and item limits.
    if not withinLimits then return
    checkEqual(t, result.droppedItems, 2, "two unusable cards dropped")
    checkEqual(t, result.droppedRows, 1, "the row left without cards dropped")
    kept = 0
    for each row in result.feed.rows
        kept = kept + row.items.Count()
    end for
    checkEqual(t, kept, total - 1, "every other card kept")
end sub

sub testPollInterval(t as object)
    d = NewsdeskDefaults()
    checkEqual(t, NewsdeskNextPollSeconds(300, 0.2, 0.0), 240, "lowest jitter")
    checkEqual(t, NewsdeskNextPollSeconds(300, 0.2, 0.5), 300, "middle")
    checkEqual(t, NewsdeskNextPollSeconds(300, 0.2, 0.9999), 360, "highest jitter")
    checkEqual(t, NewsdeskNextPollSeconds(5, 0.2, 0.5), d.minPollSeconds, "too-fast polling is clamped")
    checkEqual(t, NewsdeskNextPollSeconds(86400, 0.0, 0.5), d.maxPollSeconds, "too-slow polling is clamped")
    seen = {}
    for i = 1 to 50
        s = NewsdeskNextPollSeconds(300, 0.2, Rnd(0))
        check(t, s >= 240 and s <= 360, "jittered interval within +/-20%")
        seen[s.ToStr()] = true
    end for
    check(t, seen.Count() > 1, "random jitter varies")
end sub

function fakeAppInfo(values as object) as object
    return { values: values, GetValue: function(key as string) as string
            if m.values.DoesExist(key) then return m.values[key]
            return ""
        end function }
end function

sub testConfig(t as object)
    config = NewsdeskConfig(fakeAppInfo({ feed_url: "https://news.example/v1/feed.json", poll_interval_seconds: "120" }))
    check(t, config.ok, "valid config")
    checkEqual(t, config.feedUrl, "https://news.example/v1/feed.json", "feed URL")
    checkEqual(t, config.pollSeconds, 120, "poll seconds")
    config = NewsdeskConfig(fakeAppInfo({ feed_url: "https://news.example/v1/feed.json", poll_interval_seconds: "1" }))
    checkEqual(t, config.pollSeconds, NewsdeskDefaults().minPollSeconds, "poll clamped")
    config = NewsdeskConfig(fakeAppInfo({ feed_url: "https://news.example/v1/feed.json" }))
    checkEqual(t, config.pollSeconds, NewsdeskDefaults().defaultPollSeconds, "default poll")
    config = NewsdeskConfig(fakeAppInfo({ feed_url: "file:///etc/passwd" }))
    check(t, not config.ok, "non-http feed URL refused")
    config = NewsdeskConfig(fakeAppInfo({}))
    check(t, not config.ok, "missing feed URL refused")
    ' The real manifest, through roAppInfo.
    config = NewsdeskConfig(CreateObject("roAppInfo"))
    check(t, config.ok, "the shipped manifest has a feed_url: " + config.error)
end sub

sub testTicker(t as object)
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    text = NewsdeskTickerText(feed)
    parts = text.Split("   |   ")
    check(t, parts.Count() >= 1 and parts.Count() <= NewsdeskDefaults().tickerItems, "ticker holds 1..tickerItems lines")
    firstPinned = invalid
    for each row in feed.rows
        for each card in row.items
            if card.pinned and firstPinned = invalid then firstPinned = card.ticker
        end for
    end for
    if firstPinned <> invalid then checkEqual(t, parts[0], firstPinned, "pinned ticker first")
    synthetic = { rows: [{ items: [
        { id: "a", ticker: "A", pinned: false }
        { id: "b", ticker: "B", pinned: true }
        { id: "a", ticker: "A", pinned: false }
    ] }] }
    checkEqual(t, NewsdeskTickerText(synthetic), "B   |   A", "pinned first, duplicates once")
end sub

sub testDetail(t as object)
    raw = ParseJson(fixture("article.json"))
    detail = NewsdeskParseDetail(fixture("article.json"))
    check(t, detail.ok, "article parses: " + detail.error)
    checkEqual(t, detail.text.Split(Chr(10) + Chr(10)).Count(), raw.paragraphs.Count(), "one block per paragraph")
    checkEqual(t, detail.title, raw.card.title, "title from the card")
    checkEqual(t, detail.source, raw.source, "source")
    check(t, not NewsdeskParseDetail("").ok, "empty detail refused")
    check(t, not NewsdeskParseDetail("{oops").ok, "broken detail refused")
    check(t, not NewsdeskParseDetail("{}").ok, "detail without paragraphs refused")
end sub

sub testColor(t as object)
    checkEqual(t, NewsdeskColor("#33506a", "0x000000FF"), "0x33506AFF", "feed colour")
    checkEqual(t, NewsdeskColor("33506a", "0x000000FF"), "0x000000FF", "no hash")
    checkEqual(t, NewsdeskColor("#zz506a", "0x000000FF"), "0x000000FF", "not hex")
    checkEqual(t, NewsdeskColor(invalid, "0x000000FF"), "0x000000FF", "missing")
    for each row in rawRows()
        for each card in row.items
            check(t, NewsdeskColor(card.placeholderColor, "") <> "", "fixture colour " + card.placeholderColor + " converts")
        end for
    end for
end sub

' --- first load, deep links, posters -----------------------------------------

sub fail(state as object)
    NewsdeskHandleResponse(state, -1, invalid, -1, invalid)
end sub

sub testFirstLoadBackoff(t as object)
    state = NewsdeskNewState()
    checkEqual(t, NewsdeskLoadMessage(state, 0), "", "no message before the first answer")
    waits = []
    for i = 1 to 6
        fail(state)
        waits.Push(NewsdeskWaitSeconds(state, 300, 0.2, 0.5))
    end for
    expected = [5, 10, 20, 40, 40, 40]
    for i = 0 to expected.Count() - 1
        checkEqual(t, waits[i], expected[i], "wait after failure " + (i + 1).ToStr())
    end for
    message = NewsdeskLoadMessage(state, 40)
    check(t, Instr(1, message, "Can't reach the news service") = 1, "error line: " + message)
    check(t, Instr(1, message, "40 s") > 0, "error line says when: " + message)
    ' An HTTP error (a 503 before the first publish) counts the same as no network.
    other = NewsdeskNewState()
    NewsdeskHandleResponse(other, 503, "{""error"": ""no feed""}", -1, invalid)
    checkEqual(t, NewsdeskWaitSeconds(other, 300, 0.2, 0.5), 5, "503: first retry after 5 s")
    ' Never longer than the poll interval (clamped to at least 60 s).
    checkEqual(t, NewsdeskWaitSeconds(state, 10, 0.2, 0.5), 40, "capped at 40 s, the clamped poll is longer")
end sub

sub testErrorClears(t as object)
    state = NewsdeskNewState()
    fail(state)
    fail(state)
    check(t, NewsdeskLoadMessage(state, 10) <> "", "error shown")
    decision = NewsdeskHandleResponse(state, 200, fixture("feed.json"), -1, """v1""")
    checkEqual(t, decision.action, "update", "the feed arrives")
    checkEqual(t, NewsdeskLoadMessage(state, 0), "", "error cleared")
    wait = NewsdeskWaitSeconds(state, 300, 0.2, 0.5)
    checkEqual(t, wait, NewsdeskNextPollSeconds(300, 0.2, 0.5), "back to the poll interval")
end sub

sub testFailureWithFeed(t as object)
    state = validFeedState()
    fail(state)
    fail(state)
    checkEqual(t, NewsdeskWaitSeconds(state, 300, 0.2, 0.0), NewsdeskNextPollSeconds(300, 0.2, 0.0), "rows on screen: the usual interval")
    checkEqual(t, NewsdeskLoadMessage(state, 0), "", "rows on screen: no error line")
end sub

sub testDeepLinkArgs(t as object)
    link = NewsdeskDeepLink({ contentId: "0ecb0ffa1f350e31", mediaType: "shortForm" })
    check(t, link.ok, "launch args from Roku Search")
    checkEqual(t, link.contentId, "0ecb0ffa1f350e31", "contentId")
    checkEqual(t, link.mediaType, "shortForm", "mediaType")
    ' roInputEvent info has the same keys, plus others the channel ignores.
    check(t, NewsdeskDeepLink({ contentId: "live", mediaType: "live", source_ip_addr: "192.0.2.1" }).ok, "input event")
    check(t, not NewsdeskDeepLink({ contentId: "0ecb0ffa1f350e31" }).ok, "mediaType is required")
    check(t, not NewsdeskDeepLink({ mediaType: "shortForm" }).ok, "contentId is required")
    check(t, not NewsdeskDeepLink({ contentId: "x", mediaType: "podcast" }).ok, "unknown mediaType")
    check(t, not NewsdeskDeepLink({ contentId: "  ", mediaType: "movie" }).ok, "blank contentId")
    check(t, not NewsdeskDeepLink({ contentId: String(51, "a"), mediaType: "movie" }).ok, "contentId over 50 characters")
    check(t, not NewsdeskDeepLink({ contentId: 12, mediaType: "movie" }).ok, "contentId not a string")
    check(t, not NewsdeskDeepLink(invalid).ok, "no args")
    check(t, not NewsdeskDeepLink({}).ok, "a plain launch")
end sub

sub testDeepLinkFindsStory(t as object)
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    root = NewsdeskBuildRows(feed, "FHD")
    offset = 0
    if feed.liveStream <> invalid then offset = 1
    last = feed.rows[feed.rows.Count() - 1]
    target = last.items[last.items.Count() - 1]
    found = NewsdeskFindItem(root, target.id)
    check(t, found <> invalid, "story " + target.id + " found")
    if found <> invalid then
        checkEqual(t, found.node.id, target.id, "the node of the story")
        checkEqual(t, found.node.kind, "story", "a story, opened in the detail screen")
        ' The first row holding it (a story can be in Top stories and its category).
        first = -1
        for r = 0 to feed.rows.Count() - 1
            for each card in feed.rows[r].items
                if first < 0 and card.id = target.id then first = r
            end for
        end for
        checkEqual(t, found.row, first + offset, "row index in the RowList")
    end if
    if feed.liveStream <> invalid then
        live = NewsdeskFindItem(root, feed.liveStream.id)
        check(t, live <> invalid and live.node.kind = "live", "the live stream by its id")
    end if
    check(t, NewsdeskFindItem(root, "ffffffffffffffff") = invalid, "a story no longer in the feed")
    check(t, NewsdeskFindItem(invalid, target.id) = invalid, "no rows yet")
end sub

sub testTitleCards(t as object)
    raw = rawFeed()
    feed = NewsdeskParseFeed(fixture("feed.json")).feed
    root = NewsdeskBuildRows(feed, "FHD")
    titleCards = 0
    for each row in raw.rows
        for each card in row.items
            found = NewsdeskFindItem(root, card.id)
            want = card.titleCard = true
            if want then titleCards = titleCards + 1
            if found <> invalid then checkEqual(t, found.node.titleCard, want, "titleCard of " + card.id)
        end for
    end for
    check(t, titleCards > 0, "the fixture has title cards")
end sub

sub testLivePoster(t as object)
    raw = rawFeed()
    raw.liveStream = { id: "live", title: "Live", url: "http://newsdesk.test/live/index.m3u8", videoType: "HLS" }
    root = NewsdeskBuildRows(NewsdeskParseFeed(FormatJson(raw)).feed, "FHD")
    checkEqual(t, root.getChild(0).getChild(0).HDPosterUrl, NewsdeskDefaults().livePoster, "a packaged poster when the feed has none")
    raw.liveStream.thumbnail = "http://newsdesk.test/demo/live/poster.jpg"
    root = NewsdeskBuildRows(NewsdeskParseFeed(FormatJson(raw)).feed, "FHD")
    checkEqual(t, root.getChild(0).getChild(0).HDPosterUrl, raw.liveStream.thumbnail, "the feed's poster")
    checkEqual(t, root.getChild(0).getChild(0).heroUrl, raw.liveStream.thumbnail, "and as the hero")
end sub
