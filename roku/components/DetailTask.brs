sub init()
    m.top.functionName = "fetchDetail"
end sub

sub fetchDetail()
    url = m.top.url
    transfer = CreateObject("roUrlTransfer")
    port = CreateObject("roMessagePort")
    transfer.SetMessagePort(port)
    transfer.SetUrl(url)
    if LCase(Left(url, 8)) = "https://" then
        transfer.SetCertificatesFile("common:/certs/ca-bundle.crt")
        transfer.InitClientCertificates()
    end if
    transfer.EnableEncodings(true)
    transfer.SetHeaders({ "Accept": "application/json" })
    body = invalid
    if transfer.AsyncGetToString() then
        msg = wait(20000, port)
        if type(msg) = "roUrlEvent" then
            if msg.GetResponseCode() = 200 then body = msg.GetString()
        else
            transfer.AsyncCancel()
        end if
    end if
    m.top.result = NewsdeskParseDetail(body)
end sub
