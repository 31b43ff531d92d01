' Newsdesk reference channel: entry point. All the work happens in the
' HomeScene (render thread) and its Task nodes.
sub Main(args as dynamic)
    screen = CreateObject("roSGScreen")
    port = CreateObject("roMessagePort")
    screen.setMessagePort(port)
    scene = screen.CreateScene("HomeScene")
    screen.show()
    ' Set after show so the scene's observer sees it: a launch from Roku Search
    ' carries contentId + mediaType (HomeScene opens that story).
    scene.launchArgs = args
    ' Deep links while running arrive as roInputEvents.
    input = CreateObject("roInput")
    input.setMessagePort(port)
    while true
        msg = wait(0, port)
        if type(msg) = "roSGScreenEvent" then
            if msg.isScreenClosed() then return
        else if type(msg) = "roInputEvent" then
            if msg.isInput() then scene.deepLink = msg.getInfo()
        end if
    end while
end sub
