// A program written against node-pcsclite's documented API (its README
// example): only the module name differs. Prints what it sees, one line each.
var pcsclite = require("webcard/pcsclite");

var pcsc = pcsclite();
var wanted = process.argv[2];
var seenCard = false;

pcsc.on("reader", function (reader) {
  console.log("reader " + reader.name);
  if (reader.name !== wanted) return;

  reader.on("error", function (err) {
    console.log("reader error " + err.message);
  });

  reader.on("status", function (status) {
    var changes = this.state ^ status.state;
    if (!changes) return;
    if (changes & this.SCARD_STATE_EMPTY && status.state & this.SCARD_STATE_EMPTY) {
      // The first status of an empty reader also shows EMPTY as a change.
      if (!seenCard) return;
      console.log("card removed");
      reader.disconnect(reader.SCARD_LEAVE_CARD, function (err) {
        console.log("disconnected " + (err ? err.message : "ok"));
        pcsc.close();
      });
    } else if (changes & this.SCARD_STATE_PRESENT && status.state & this.SCARD_STATE_PRESENT) {
      seenCard = true;
      console.log("card inserted " + status.atr.toString("hex"));
      reader.connect({ share_mode: this.SCARD_SHARE_SHARED }, function (err, protocol) {
        if (err) return console.log("connect error " + err.message);
        console.log("protocol " + protocol + " connected " + this.connected);
        reader.transmit(Buffer.from([0x80, 0xec, 0x00, 0x00, 0x02, 0xca, 0xfe]), 40, protocol, function (err, data) {
          if (err) return console.log("transmit error " + err.message);
          console.log("data " + data.toString("hex"));
          reader.transmit(Buffer.from([0x80, 0xe2, 0x00, 0x40, 0x00]), 10, protocol, function (err) {
            console.log("short buffer " + (err ? err.message.split(":")[1].trim() : "none"));
            console.log("ready");
          });
        });
      });
    }
  });

  reader.on("end", function () {
    console.log("end " + this.name);
  });
});

pcsc.on("error", function (err) {
  console.log("pcsc error " + err.message);
});
