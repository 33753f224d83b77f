#!/usr/bin/perl
# Peer dumper: MIME-tools (MIME::Parser, Debian: libmime-tools-perl) with the
# modules it ships with or depends on (MailTools' Mail::Address, TimeDate's
# Date::Parse) and core Encode / JSON::PP / Digest::SHA.
#
# Reads file paths from stdin (one per line), writes one JSON line per path:
# {"path": ..., "model": {...}} or {"path": ..., "error": "..."}.
# See model.py for the model. MIME-tools does not decode charsets, so the text
# body, the Subject and encoded-word file names are decoded with Encode (the
# usual companion of MIME-tools).
use strict;
use warnings;
use MIME::Parser;
use MIME::Words qw(decode_mimewords);
use Mail::Address;
use Date::Parse qw(str2time);
use Digest::SHA qw(sha256_hex);
use Encode qw(decode find_encoding);
use JSON::PP;
use POSIX qw(strftime);

binmode STDOUT;
my $json = JSON::PP->new->canonical(1)->utf8(1);

sub to_str {
    # bytes -> characters: UTF-8 when valid, Latin-1 otherwise
    my ($s) = @_;
    return undef unless defined $s;
    return $s if utf8::is_utf8($s);
    my $copy = $s;
    my $r = eval { decode('UTF-8', $copy, Encode::FB_CROAK) };
    return defined $r ? $r : decode('ISO-8859-1', $s);
}

sub decode_words {
    my ($s) = @_;
    return undef unless defined $s;
    return to_str($s) unless $s =~ /=\?/;
    my $out = '';
    for my $w (decode_mimewords($s)) {
        my ($text, $cs) = @$w;
        my $enc = $cs ? find_encoding($cs) : undef;
        $out .= $enc ? $enc->decode($text) : to_str($text);
    }
    return $out;
}

sub unfold {
    my ($s) = @_;
    return undef unless defined $s;
    $s =~ s/\r?\n(?=[ \t])//g;
    $s =~ s/\r?\n\z//;
    return $s;
}

sub walk {
    my ($ent, $out, $top, $state) = @_;
    my $type = lc($ent->effective_type || $ent->mime_type || 'text/plain');
    my @parts = $ent->parts;
    if ($type =~ m{^multipart/} || @parts) {
        my $inner_top = ($type eq 'message/rfc822' || $type eq 'message/global') ? 0 : $top;
        walk($_, $out, $inner_top, $state) for @parts;
        return;
    }
    my $body = $ent->bodyhandle;
    my $data = defined $body ? $body->as_string : '';
    $data = '' unless defined $data;
    my $fn = $ent->head->recommended_filename;
    $fn = decode_words($fn) if defined $fn;
    push @$out, { type => $type, filename => $fn, sha256 => sha256_hex($data) };
    my $disp = lc($ent->head->mime_attr('content-disposition') || '');
    if ($top && !exists $state->{text} && $type eq 'text/plain' && $disp ne 'attachment') {
        my $cs = $ent->head->mime_attr('content-type.charset');
        my $enc = $cs ? find_encoding($cs) : undef;
        $state->{text} = $enc ? $enc->decode($data) : to_str($data);
    }
}

sub dump_one {
    my ($path) = @_;
    my $parser = MIME::Parser->new;
    $parser->output_to_core(1);
    $parser->tmp_to_core(1);
    $parser->decode_headers(0);
    $parser->extract_nested_messages(1);
    my $ent = $parser->parse_open($path);
    die "no entity\n" unless $ent;
    my (@leaves, %state);
    walk($ent, \@leaves, 1, \%state);
    my $head = $ent->head;
    my $subject = $head->get('Subject', 0);
    $subject = decode_words(unfold($subject)) if defined $subject;
    my $from;
    my $rawfrom = $head->get('From', 0);
    if (defined $rawfrom) {
        my @a = Mail::Address->parse(unfold($rawfrom));
        $from = to_str($a[0]->address) if @a && defined $a[0]->address && length $a[0]->address;
    }
    my $date;
    my $rawdate = $head->get('Date', 0);
    if (defined $rawdate) {
        my $t = str2time(unfold($rawdate));
        $date = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($t)) if defined $t;
    }
    my $mid = $head->get('Message-ID', 0);
    $mid = to_str(unfold($mid)) if defined $mid;
    $ent->purge;
    return {
        leaves => \@leaves,
        text => $state{text},
        subject => $subject,
        from => $from,
        date => $date,
        message_id => $mid,
    };
}

while (my $path = <STDIN>) {
    chomp $path;
    next unless length $path;
    my $rec;
    my $model = eval { local $SIG{__WARN__} = sub {}; dump_one($path) };
    if ($@ || !$model) {
        my $err = $@ || 'failed';
        $err =~ s/\s+\z//;
        $rec = { path => to_str($path), error => substr($err, 0, 300) };
    } else {
        $rec = { path => to_str($path), model => $model };
    }
    print $json->encode($rec), "\n";
}
